"""Whisper's skips: a window whose text leaves out speech, and where to cut it in two.

Whisper can begin a window's text partway through its speech and stretch its first words
over what it left out. On the spoken held-out half of written_callers.json (a36), 24 s of
speech came back as "I'd like to set up my first appointment, ... I'm at 615-940287", its
word "like" aligned over 6.9 s and "to" over 3.5 s: the caller's name, the referral and the
surgery were gone, with nothing in the confidences to show it. Another window (c16), after
its loop was decoded again, kept only "I was only wondering ..." with "only" over 6.2 s.
Cut in two at a quiet moment and decoded half by half, both came back whole but for a few
words at the start.

Measured on 111 spoken voicemails (our set and that half): apart from those two, no word
lasted over 1.6 s unless it held digits ("615-940-2287", 3-4 s; a number said twice, 8 s)
or spelled letters ("W-I-S-N-A-W-S-K-I", 2.1-2.4 s), so a word of two letters running and no
digit that lasts over MAX_WORD_S is speech skipped, with room for a drawled word or a pause
the VAD kept (pauses over twice its 0.6 s padding are cut out before decoding).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_WORD_S = 2.5
# Prepared audio (its pauses over 1.2 s cut out) that no segment spans for this long is
# speech Whisper left out (see uncovered).
MIN_UNCOVERED_S = 3.0
# A window shorter than this is not cut: each half would be too short to hear in context.
MIN_CUT_S = 4.0
_RATE = 16000
_FRAME = 480  # 30 ms, as the VAD's frames
_SPOKEN_WORD = re.compile(r"[^\W\d_]{2}")
_DIGIT = re.compile(r"\d")


def stretched(word: Any) -> bool:
    """Whether a word Whisper wrote is aligned over speech it left out (see above)."""
    text = str(word.word)
    return bool(
        word.end - word.start > MAX_WORD_S and _SPOKEN_WORD.search(text) and not _DIGIT.search(text)
    )


def skipping(segment: Any) -> bool:
    """Whether a segment's text leaves out speech its words were stretched over."""
    return any(stretched(word) for word in segment.words or ())


def quiet_cut(pcm: npt.NDArray[np.int16]) -> int | None:
    """Where to cut ``pcm`` in two: the start of its quietest 30 ms in the middle third, so
    that the cut falls between words where it can; None where it is too short to cut."""
    frames = len(pcm) // _FRAME
    if len(pcm) < MIN_CUT_S * _RATE:
        return None
    energy = (pcm[: frames * _FRAME].astype(np.float64).reshape(frames, _FRAME) ** 2).mean(axis=1)
    low, high = frames // 3, 2 * frames // 3
    return (low + int(np.argmin(energy[low:high]))) * _FRAME


def shifted(segment: Any, by_s: float) -> Any:
    """A segment decoded from a stretch of the audio, its times and its words' moved to
    where that stretch begins."""
    words = [
        replace(word, start=word.start + by_s, end=word.end + by_s) for word in segment.words or ()
    ]
    return replace(segment, start=segment.start + by_s, end=segment.end + by_s, words=words)


def uncovered(segments: Sequence[Any], duration_s: float) -> list[tuple[float, float]]:
    """The stretches, of at least MIN_UNCOVERED_S, of ``duration_s`` seconds of prepared
    audio that no segment spans.

    Whisper can also begin a window with a timestamp well into it and write nothing of the
    speech before: two of the held-out voicemails joined into one 34 s recording came back
    as the second alone, its first segment at 15.48 s, though each alone was heard. The
    audio it decodes is speech with its long pauses cut out (frontend.py), so seconds with
    no segment over them are speech it did not write."""
    gaps: list[tuple[float, float]] = []
    reached = 0.0
    for segment in sorted(segments, key=lambda s: s.start):
        if segment.start - reached >= MIN_UNCOVERED_S:
            gaps.append((reached, segment.start))
        reached = max(reached, segment.end)
    if duration_s - reached >= MIN_UNCOVERED_S:
        gaps.append((reached, duration_s))
    return gaps
