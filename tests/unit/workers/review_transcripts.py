"""What the review-reason tests share: the default review settings and a transcript of words,
each with its confidence if given."""

from __future__ import annotations

from shared.models import Transcript, Word
from shared.settings.review import ReviewSettings

REVIEW = ReviewSettings()


def _transcript(text: str, confidences: list[float] | None = None) -> Transcript:
    words = [
        Word(word=word, confidence=confidences[i] if confidences else None)
        for i, word in enumerate(text.split())
    ]
    return Transcript(text=text, provider="local", words=words)
