"""Speech made faster or slower without changing its pitch (FFmpeg's ``atempo`` filter), so
the `speed` of OpenAI's speech API means the same for every voice, whoever synthesised it."""

from __future__ import annotations

from fractions import Fraction

import av
import av.filter
import numpy as np
import numpy.typing as npt

MIN_SPEED = 0.25
MAX_SPEED = 4.0


def _steps(speed: float) -> list[float]:
    # One atempo instance takes 0.5-2.0 (wider ranges skip samples); chained, their product
    # covers OpenAI's 0.25-4.0 smoothly.
    steps: list[float] = []
    while speed > 2.0:
        steps.append(2.0)
        speed /= 2.0
    while speed < 0.5:
        steps.append(0.5)
        speed /= 0.5
    return [*steps, speed]


def change_tempo(
    pcm: npt.NDArray[np.int16], sample_rate: int, speed: float
) -> npt.NDArray[np.int16]:
    """``pcm`` played ``speed`` times as fast, at the same pitch and rate."""
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED} and {MAX_SPEED}, got {speed}")
    if speed == 1.0 or pcm.size == 0:
        return pcm
    graph = av.filter.Graph()
    source = graph.add_abuffer(
        format="s16", sample_rate=sample_rate, layout="mono", time_base=Fraction(1, sample_rate)
    )
    chain = [source, *(graph.add("atempo", f"{step:.6f}") for step in _steps(speed))]
    sink = graph.add("abuffersink")
    for upstream, downstream in zip(chain, [*chain[1:], sink], strict=True):
        upstream.link_to(downstream)
    graph.configure()
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(pcm, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = sample_rate
    frame.pts = 0
    frame.time_base = Fraction(1, sample_rate)
    graph.push(frame)
    graph.push(None)
    pieces: list[npt.NDArray[np.int16]] = []
    while True:
        try:
            out = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            break
        pieces.append(out.to_ndarray().reshape(-1).astype(np.int16))
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
