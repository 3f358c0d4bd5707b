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

import hashlib
import threading
from typing import Any, NamedTuple

import numpy as np
from faster_whisper import WhisperModel

ENGLISH = "en"
# Encodings kept within a recording's hearing (each ~3 MB for base, held until the next
# recording's): enough for a looping window and the windows after it.
_KEPT_ENCODINGS = 4


class HeardLanguage(NamedTuple):
    language: str
    probability: float
    # How likely Whisper finds it that the recording is English, whatever it heard first.
    english: float


class LanguageHearingWhisper(WhisperModel):  # type: ignore[misc]
    """faster-whisper's model, keeping the first window it encodes after ``start_hearing``
    (per thread: threads may share one model) to tell that window's language, and the
    windows it encoded since, to hand back when the same window is encoded again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first = threading.local()

    def start_hearing(self) -> None:
        self._first.listening = True
        self._first.output = None
        self._first.encoded = {}

    def encode(self, features: Any) -> Any:
        # A window of a recording is encoded again whenever its audio is decoded again: a
        # looping window with a repetition penalty (whisper_loops). Encoding a 30 s window
        # costs ~0.8 s of CPU whatever its audio, the same features give the same encoding,
        # and the decoder only reads it, so it is kept for the rest of the recording's
        # hearing. (The caller's name rescoring encodes one frame more than the decoding,
        # that of the feature extractor's padding, so it gets no kept encoding.)
        key = _key(features)
        kept: dict[bytes, Any] | None = getattr(self._first, "encoded", None)
        if kept is not None and key in kept:
            return kept[key]
        output = super().encode(features)
        if kept is not None:
            if len(kept) >= _KEPT_ENCODINGS:
                del kept[next(iter(kept))]
            kept[key] = output
        if getattr(self._first, "listening", False) and self._first.output is None:
            self._first.output = output
        return output

    def heard_language(self) -> HeardLanguage | None:
        """The language of the first window encoded since ``start_hearing`` (None when
        none was), and how likely English is."""
        output = getattr(self._first, "output", None)
        # The encodings stay kept: the name rescoring encodes after the language is told.
        self._first.listening, self._first.output = False, None
        if output is None:
            return None
        ranked: list[tuple[str, float]] = self.model.detect_language(output)[0]
        languages = [(token.strip("<|>"), float(probability)) for token, probability in ranked]
        english = next((p for language, p in languages if language == ENGLISH), 0.0)
        return HeardLanguage(languages[0][0], round(languages[0][1], 3), round(english, 3))


def _key(features: Any) -> bytes:
    """The same features' key: their shape and a digest of their values."""
    values = np.ascontiguousarray(features)
    digest = hashlib.blake2b(values.tobytes(), digest_size=16)
    digest.update(repr((values.shape, values.dtype.str)).encode())
    return digest.digest()
