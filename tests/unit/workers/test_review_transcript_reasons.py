"""Why a transcript is flagged for review: low word confidence, decoding that looped or skipped
speech, words another engine did not hear, no speech, another language, hybrid disagreement."""

from __future__ import annotations

import pytest

from shared.models import Transcript
from tests.unit.workers.review_transcripts import REVIEW, _transcript
from workers.review import (
    DECODING_LOOPED,
    DECODING_SKIPPED,
    Reason,
    transcript_reasons,
)


def test_a_confident_transcript_needs_no_review_for_its_words() -> None:
    transcript = _transcript("please call me back", [0.9, 0.8, 0.95, 0.9])
    assert transcript_reasons(transcript, REVIEW) == []


def test_low_mean_word_confidence_is_flagged() -> None:
    transcript = _transcript("please call me back", [0.2, 0.3, 0.4, 0.5])
    assert transcript_reasons(transcript, REVIEW) == [Reason.LOW_CONFIDENCE]


@pytest.mark.parametrize("detail", [DECODING_LOOPED, DECODING_SKIPPED])
def test_a_transcript_that_looped_or_skipped_speech_is_flagged_however_sure_its_words(
    detail: str,
) -> None:
    transcript = _transcript("please call me back", [0.9, 0.8, 0.95, 0.9])
    doubtful = transcript.model_copy(update={"details": {detail: True}})
    assert transcript_reasons(doubtful, REVIEW) == [Reason.LOW_CONFIDENCE]


def test_words_another_engine_heard_none_of_are_flagged_however_sure() -> None:
    transcript = _transcript("now it's time to go back", [0.9, 0.8, 0.95, 0.9, 0.9, 0.9])
    heard = {"second_engine": {"engine": "moonshine", "text": "now it's time to go"}}
    unheard = {"second_engine": {"engine": "moonshine", "text": " "}}
    assert transcript_reasons(transcript.model_copy(update={"details": heard}), REVIEW) == []
    assert transcript_reasons(transcript.model_copy(update={"details": unheard}), REVIEW) == [
        Reason.LOW_CONFIDENCE
    ]


def test_a_recording_neither_engine_heard_words_in_is_only_no_speech() -> None:
    silent = _transcript("").model_copy(
        update={"details": {"second_engine": {"engine": "moonshine", "text": ""}}}
    )
    assert transcript_reasons(silent, REVIEW) == [Reason.NO_SPEECH]


@pytest.mark.parametrize(("english", "flagged"), [(0.02, True), (0.29, True), (0.53, False)])
def test_a_recording_unlikely_to_be_english_is_flagged_as_another_language(
    english: float, flagged: bool
) -> None:
    heard = {"heard_language": {"language": "es", "probability": 0.9, "english": english}}
    transcript = _transcript("now let's see what we have to do").model_copy(
        update={"details": heard}
    )
    reasons = transcript_reasons(transcript, REVIEW)
    assert (Reason.OTHER_LANGUAGE in reasons) is flagged


def test_words_without_confidences_are_not_judged_on_confidence() -> None:
    assert transcript_reasons(_transcript("please call me back"), REVIEW) == []


def test_an_empty_transcript_is_flagged_as_no_speech() -> None:
    assert transcript_reasons(_transcript(""), REVIEW) == [Reason.NO_SPEECH]


def test_hybrid_disagreement_is_flagged() -> None:
    transcript = Transcript(text="hello", provider="hybrid", details={"needs_review": True})
    assert transcript_reasons(transcript, REVIEW) == [Reason.HYBRID_DISAGREEMENT]
