"""The language Whisper hears in a recording, told from what its decoding computes anyway.

The offline engine decodes every recording as English, so a caller who speaks Spanish gets
back Whisper's English rendering ("Now, let's see what we have to do ... the hot water in my
house ... the floor is wet"): fluent, sure enough of its words to pass, and flagged by
nothing. Whisper base is multilingual, and its language detection is one decoder step over
the encoder output of a window. ``LanguageHearingWhisper`` keeps the output its decoding
computes for the recording's first window, so hearing the language costs that one step
(~35 ms here) and no second encoding (~0.7 s).

Measured with the recording's first 30 s of speech (``tests/quality``'s set, its spoken
held-out half, the 60 clips spoken from written.json and ``../shared/audio``: 182 English
recordings of eleven voices, telephone-band and wideband): English came first in every one,
at a probability of 0.53 or more. Voicemails in Spanish, French, German, Italian,
Portuguese, Polish, Russian, Turkish, Vietnamese, Arabic and Hindi (espeak-ng's voices, at
16 kHz, 8 kHz µ-law and 8 kHz mp3) gave English 0.25 or less in all 33. espeak-ng's
Mandarin was heard as English (0.45-0.72). English read by its Spanish voice was heard as
Latin or Italian (English 0.02-0.16), and by its German voice at English 0.28-0.43: those
voices keep their own language's sounds throughout, and four of the six fall under the
review's bar (``REVIEW__MIN_ENGLISH``, 0.3).
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

from faster_whisper import WhisperModel

ENGLISH = "en"


class HeardLanguage(NamedTuple):
    language: str
    probability: float
    # How likely Whisper finds it that the recording is English, whatever it heard first.
    english: float


class LanguageHearingWhisper(WhisperModel):  # type: ignore[misc]
    """faster-whisper's model, keeping the first window it encodes after ``start_hearing``
    (per thread: threads may share one model) to tell that window's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first = threading.local()

    def start_hearing(self) -> None:
        self._first.listening = True
        self._first.output = None

    def encode(self, features: Any) -> Any:
        output = super().encode(features)
        if getattr(self._first, "listening", False) and self._first.output is None:
            self._first.output = output
        return output

    def heard_language(self) -> HeardLanguage | None:
        """The language of the first window encoded since ``start_hearing`` (None when
        none was), and how likely English is."""
        output = getattr(self._first, "output", None)
        self._first.listening, self._first.output = False, None
        if output is None:
            return None
        ranked: list[tuple[str, float]] = self.model.detect_language(output)[0]
        languages = [(token.strip("<|>"), float(probability)) for token, probability in ranked]
        english = next((p for language, p in languages if language == ENGLISH), 0.0)
        return HeardLanguage(languages[0][0], round(languages[0][1], 3), round(english, 3))
