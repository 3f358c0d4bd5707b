"""A redacted copy of the recording: the seconds of removed words silenced or bleeped.

Pure sample arithmetic, no decoding: the caller hands in PCM (mono ``(n,)`` or
``(n, channels)``, signed integers or floats) and gets the same shape and type back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

# Word timings from a recogniser are a few tens of milliseconds loose at each end; the
# padding covers that, so no first or last phoneme of a digit survives.
PAD_S = 0.04
# Short ramps rather than a hard cut: a step in the waveform is heard as a click.
FADE_S = 0.005
TONE_HZ = 1000.0
# About -14 dBFS: plainly a bleep, not painful on a phone speaker.
TONE_LEVEL = 0.2


def _sample_ranges(
    spans_s: Iterable[tuple[float, float]], sample_rate: int, pad_s: float
) -> list[tuple[int, int]]:
    """Padded spans in samples, merged; not clipped to the recording, so a span running
    past either end does not fade back in there."""
    ranges = sorted(
        (int(np.floor((start - pad_s) * sample_rate)), int(np.ceil((end + pad_s) * sample_rate)))
        for start, end in spans_s
    )
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _full_scale(dtype: np.dtype[Any]) -> float:
    if np.issubdtype(dtype, np.signedinteger):
        return float(np.iinfo(dtype).max)
    if np.issubdtype(dtype, np.floating):
        return 1.0
    raise TypeError(f"PCM samples must be signed integers or floats, not {dtype}")


def silence_spans(
    pcm: NDArray[Any],
    sample_rate: int,
    spans_s: Iterable[tuple[float, float]],
    mode: Literal["silence", "bleep"] = "silence",
    *,
    pad_s: float = PAD_S,
    fade_s: float = FADE_S,
) -> NDArray[Any]:
    """A copy of ``pcm`` with each span (seconds, padded by ``pad_s`` on both sides)
    replaced by silence or by a 1 kHz tone, faded in and out over ``fade_s``."""
    if mode not in ("silence", "bleep"):
        raise ValueError(f"mode must be 'silence' or 'bleep', not {mode!r}")
    if pcm.ndim not in (1, 2):
        raise ValueError("PCM must be (samples,) or (samples, channels)")
    if sample_rate <= 0:
        raise ValueError("sample_rate must be positive")
    full_scale = _full_scale(pcm.dtype)
    frames = pcm.shape[0]
    # 1 where the recording is kept, 0 where it is removed, ramps between.
    keep = np.ones(frames, dtype=np.float64)
    fade = max(1, round(fade_s * sample_rate))
    for a, b in _sample_ranges(spans_s, sample_rate, pad_s):
        lo, hi = max(a, 0), min(b, frames)
        if lo >= hi:
            continue
        index = np.arange(lo, hi)
        from_edge = np.minimum(index - a, b - 1 - index)
        keep[lo:hi] = np.clip(1.0 - (from_edge + 1) / fade, 0.0, 1.0)
    gain = keep if pcm.ndim == 1 else keep[:, None]
    out = pcm.astype(np.float64) * gain
    if mode == "bleep":
        tone = (
            TONE_LEVEL * full_scale * np.sin(2 * np.pi * TONE_HZ * np.arange(frames) / sample_rate)
        )
        out += (1.0 - gain) * (tone if pcm.ndim == 1 else tone[:, None])
    if np.issubdtype(pcm.dtype, np.integer):
        info = np.iinfo(pcm.dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(pcm.dtype)
    return out.astype(pcm.dtype)
