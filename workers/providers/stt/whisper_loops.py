"""Whisper's decoding loops: which segments are invented, and which windows to decode again.

Whisper decoding at temperature 0 can fall into a loop: on noise it writes fluent sentences
over and over ("I'm sorry, I'm sorry, ..."), and on speech it sometimes sticks on one digit
("8-8-8-8-..."). The first is dropped; the second loses a whole window of real speech if it
is dropped, so that window is decoded again with a light repetition penalty instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# Whisper's own threshold for a looping decode, and a no-speech probability well above
# anything the voicemail set's speech reached (see hallucinated).
MAX_COMPRESSION_RATIO = 2.4
MAX_NO_SPEECH_PROB = 0.8
# The penalty a looping window of speech is decoded again with. On the spoken held-out half
# of written_callers.json, three of 75 windows looped: "Hi, it's Niamh. Can you call me back
# as soon as possible?" was dropped with the "8-8-8-..." after it (compression ratio 2.46),
# and two others held nothing but "5-5-5-..." or "1-1-1-...". At 1.1 the first came back
# whole but for the name and the second gave its whole number (07856204913); at 1.3 the
# first broke into pieces. Whisper's own remedy, sampling at rising temperatures, recovered
# them too but differently on every run, and at two to five times the CPU.
RETRY_REPETITION_PENALTY = 1.1
# A word written this many times running is a loop, whatever the window's compression ratio
# (a long window can dilute one: "713-864-2-1-1-1-1-1-..." kept a ratio under 2.4).
_LOOP = re.compile(r"\b(\w+)\b(?:\W+\1\b){7,}")


def hallucinated(segment: Any) -> bool:
    """Whether a segment is Whisper inventing speech in noise the VAD let through.

    Measured: white noise, warbling tones and faint hiss came back as fluent loops ("I'm
    sorry, I'm sorry, ...") with a compression ratio of 5-12 and a no-speech probability of
    0.98-0.99 at a high log-probability, so Whisper's own rule (no speech *and* a low
    log-probability) kept them; the voicemail set's speech, however badly heard, stayed at
    ratios of 1.1-1.5 and no-speech probabilities of 0.1-0.4.
    """
    return bool(
        segment.compression_ratio > MAX_COMPRESSION_RATIO
        or segment.no_speech_prob > MAX_NO_SPEECH_PROB
    )


def looping(segment: Any) -> bool:
    """Whether a segment of speech (not noise) is a decoding loop, to be decoded again."""
    if segment.no_speech_prob > MAX_NO_SPEECH_PROB:
        return False
    return bool(segment.compression_ratio > MAX_COMPRESSION_RATIO or _LOOP.search(segment.text))


def any_looping(segments: Sequence[Any]) -> bool:
    return any(looping(segment) for segment in segments)
