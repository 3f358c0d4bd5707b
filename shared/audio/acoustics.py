"""How a voicemail sounds: loudness, pitch, pauses, noise, band and music, from samples alone.

Every figure is a signal-level estimate from simple, vectorised numpy over 20 ms frames (no
models, no I/O): good enough to rank and flag recordings, not a lab measurement. A frame is
*active* when its energy stands clear of the recording's own noise floor, so a quiet line and a
loud one are judged alike.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from shared.analysis import AudioAnalysis

SILENCE_DBFS = -120.0
FRAME_S = 0.02
PAUSE_S = 0.3
PITCH_MIN_HZ = 60.0
PITCH_MAX_HZ = 400.0
# Active frames must clear the noise floor (20 ms noise frames wander 1-3 dB) by _MARGIN_DB,
# or sit within _HEADROOM_DB of the loudest frame, so a steady tone with no quiet part counts;
# under _ABS_FLOOR_DB (line hiss, room tone) nothing is active.
_ABS_FLOOR_DB, _MARGIN_DB, _HEADROOM_DB = -60.0, 9.0, 6.0
# Noise estimated from digital zeros (padding, muted lines) would say nothing about the noise
# under the speech; int16 quantisation noise sits near -101 dBFS.
_DIGITAL_SILENCE_DB = -100.0
_CLIP_LEVEL = 32700  # ~ -0.02 dBFS: only samples pinned at full scale
# An 8 kHz source resampled up still leaks into 3.8-4 kHz through the anti-alias filter,
# so "above the telephone band" starts a little higher.
_HIGH_BAND_HZ = 4200.0
_WIDEBAND_RATIO_DB = -30.0
_YIN_THRESHOLD = 0.3
_PITCH_RATE = 8000  # pitch below 400 Hz needs no more; halves the work at 16 kHz
_MAX_PITCH_FRAMES = 750
_MAX_SPECTRUM_FRAMES = 400
_MIN_VOICED_S = 0.2
# Music: stretches of >= 3 s where nearly every frame is loud and voiced and pitch sits on
# notes: over 0.1 s the pitch mostly holds still, where intonation (even a slow glide) moves.
_MUSIC_BLOCK_S, _MUSIC_MIN_BLOCKS, _MUSIC_LAG_S = 1.0, 3, 0.1
_MUSIC_ACTIVE, _MUSIC_VOICED, _MUSIC_STEP_SEMITONES = 0.9, 0.8, 0.2
# A pure tone (a beep, a dial or busy tone: one or two sinusoids) is no voice, though YIN
# finds a "pitch" in it (a 1 kHz beep read as 333 Hz, a 440 Hz tone as 220). Looked for only
# where the pitch never moves (real speech spreads by 0.6-4 semitones), in a few windows of
# ~0.13 s: nearly all their power in at most two narrow peaks. A voice-like buzz keeps its
# pitch: its harmonics hold a fifth of its power or more.
_STEADY_SEMITONES, _TONE_WINDOW_S, _TONE_WINDOWS = 0.05, 0.128, 4
_TONE_PEAKS, _TONE_PEAK_BINS, _TONE_REST = 2, 3, 0.05

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def analyze_audio(
    pcm: npt.NDArray[np.int16],
    rate: int,
    *,
    source_rate: int | None = None,
    word_count: int | None = None,
) -> AudioAnalysis:
    """Estimate how ``pcm`` (mono int16 at ``rate`` Hz) sounds; silence and empty input are fine.

    ``source_rate`` is the file's rate before decoding (<= 8 kHz is a phone line whatever the
    spectrum shows); ``word_count``, from the transcript, gives the speaking rate.
    """
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, not {rate}")
    samples = np.asarray(pcm).ravel()
    duration, frame = len(samples) / rate, max(1, round(rate * FRAME_S))
    x = samples[: len(samples) - len(samples) % frame].astype(np.float32)
    x *= np.float32(1 / 32768)
    frames = x.reshape(-1, frame)
    # Each frame's variance, not its mean square: a DC offset (cheap microphones and sound
    # cards add one) is no sound, and counted it filled the pauses and raised the noise floor
    # (1 % of full scale took 11 dB off a clip's SNR); a constant level is silence.
    mean = frames.mean(axis=1, dtype=np.float64)
    power = np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / frame - mean**2
    power = np.maximum(power, 0.0)
    level = 10 * np.log10(np.maximum(power, 1e-12))
    active = _active(level)

    speaking, pauses = _stretches(active)
    speech_s = float(np.count_nonzero(speaking)) * FRAME_S
    rate_wpm = None
    # No words (music, noise the engine wrote nothing of) is no rate, not 0 wpm of speech.
    if word_count and speech_s > 0:
        rate_wpm = round(word_count / (speech_s / 60), 1)

    loud = level[active]
    if loud.size:
        loudness = float(10 * np.log10(np.mean(power[active])))
        variation = float(np.std(loud))
    else:
        loudness, variation = SILENCE_DBFS, 0.0

    # Pitch only where there is sound (most of the saving), and on a regular subset of at
    # most _MAX_PITCH_FRAMES frames so a ten-minute recording costs what a 30 s one does.
    grid = np.arange(0, active.size, max(1, -(-active.size // _MAX_PITCH_FRAMES)))
    hop_s = float(grid[1] - grid[0]) * FRAME_S if grid.size > 1 else FRAME_S
    f0, voiced = np.zeros(grid.size), np.zeros(grid.size, dtype=bool)
    heard = active[grid]
    f0[heard], voiced[heard] = _pitch(x, rate, frame, grid[heard])
    pitches = f0[voiced]
    median_hz = spread = None
    if pitches.size >= max(3, round(_MIN_VOICED_S / hop_s)):
        # Medians from a partial sort (acoustics.percentile): np.median's machinery cost more
        # than the sort on a short clip.
        median_hz = percentile(pitches, 50)
        spread = 1.4826 * percentile(np.abs(12 * np.log2(pitches / median_hz)), 50)
        if spread < _STEADY_SEMITONES and _pure_tone(x, rate, frame, grid[voiced]):
            median_hz = spread = None
    music_s = _music_points(heard, f0, voiced, hop_s) * hop_s

    # Compared on int16 directly: abs() would overflow at -32768 and cost two extra passes.
    pinned = np.count_nonzero(samples >= _CLIP_LEVEL) + np.count_nonzero(samples <= -_CLIP_LEVEL)
    return AudioAnalysis(
        duration_s=round(duration, 3),
        speech_s=round(speech_s, 3),
        speaking_rate_wpm=rate_wpm,
        loudness_dbfs=round(loudness, 2) + 0.0,  # never "-0.0"
        loudness_variation_db=round(variation, 2),
        pitch_hz_median=None if median_hz is None else round(median_hz, 1),
        pitch_variation_semitones=None if spread is None else round(spread, 2),
        pause_count=len(pauses),
        longest_pause_s=round(max(pauses, default=0.0), 3),
        snr_db=_snr(power, level, active),
        clipping_ratio=float(pinned / len(samples)) if len(samples) else 0.0,
        bandwidth=_bandwidth(frames, rate, level, source_rate),
        silence_share=round(1 - speech_s / duration, 4) if duration > 0 else 1.0,
        music_share=round(min(1.0, music_s / duration), 4) if duration > 0 else 0.0,
    )


def _active(level: FloatArray) -> BoolArray:
    if level.size == 0:
        return np.zeros(0, dtype=bool)
    floor = percentile(level, 10)
    threshold = max(_ABS_FLOOR_DB, min(floor + _MARGIN_DB, float(level.max()) - _HEADROOM_DB))
    return level > threshold


def percentile(values: FloatArray, q: float) -> float:
    """``np.percentile(values, q)`` (its default, linear method), to the last bit, from a
    partial sort: np.percentile's own machinery took a tenth of the analysis of a short clip."""
    pos = q / 100 * (values.size - 1)
    lo = int(pos)
    hi = min(lo + 1, values.size - 1)
    part = np.partition(values, (lo, hi)) if hi != lo else np.partition(values, lo)
    a, b, t = float(part[lo]), float(part[hi]), pos - lo
    # numpy's _lerp: from the nearer end, which is what keeps it monotonic.
    return b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t


def _runs(mask: BoolArray) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Start and end (exclusive) indices of each run of True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _stretches(active: BoolArray) -> tuple[BoolArray, list[float]]:
    """Speaking frames (short gaps bridged: stop closures are not pauses) and pause lengths."""
    starts, ends = _runs(active)
    gap_starts, gap_ends = ends[:-1], starts[1:]
    long_gap = (gap_ends - gap_starts) * FRAME_S >= PAUSE_S - 1e-9
    fill = np.zeros(active.size + 1, dtype=np.int64)
    np.add.at(fill, gap_starts[~long_gap], 1)
    np.add.at(fill, gap_ends[~long_gap], -1)
    speaking = active | (np.cumsum(fill[:-1]) > 0)
    pauses = ((gap_ends - gap_starts)[long_gap] * FRAME_S).tolist()
    return speaking, pauses


def _snr(power: FloatArray, level: FloatArray, active: BoolArray) -> float | None:
    quiet = ~active & (level > _DIGITAL_SILENCE_DB)
    if active.all() or not active.any():
        return None
    noise = percentile(power[quiet], 50) if quiet.any() else 10 ** (_DIGITAL_SILENCE_DB / 10)
    # Active frames carry speech plus noise; take the noise out before the ratio.
    signal = max(float(np.mean(power[active])) - noise, noise * 1e-3)
    return round(float(np.clip(10 * np.log10(signal / noise), -30.0, 100.0)), 2)


def _bandwidth(
    frames: npt.NDArray[np.float32], rate: int, level: FloatArray, source_rate: int | None
) -> Literal["telephone", "wideband"]:
    if rate <= 2 * _HIGH_BAND_HZ or (source_rate is not None and source_rate <= 8000):
        return "telephone"
    # Any sound counts, not just speech: hiss above 4 kHz shows the channel is wide too,
    # and fricatives (the frames with most high band) are often quiet.
    heard = np.flatnonzero(level > _ABS_FLOOR_DB)
    if heard.size == 0:
        return "wideband"
    chunk = frames[heard[:: -(-heard.size // _MAX_SPECTRUM_FRAMES)]]
    chunk = chunk - chunk.mean(axis=1, keepdims=True)
    # Hann: rectangular-window leakage from loud low harmonics would fake a high band.
    bins = np.fft.rfft(chunk * _hann(frames.shape[1]), axis=1)
    spectrum = bins.real**2 + bins.imag**2
    freqs = np.fft.rfftfreq(frames.shape[1], 1 / rate)
    high = spectrum[:, freqs >= _HIGH_BAND_HZ].sum(axis=1)
    ratio = high / np.maximum(spectrum.sum(axis=1), 1e-20)
    # The 90th percentile frame: a few fricatives or hiss prove the band, vowels do not.
    top = percentile(ratio, 90)
    return "wideband" if 10 * np.log10(max(top, 1e-12)) > _WIDEBAND_RATIO_DB else "telephone"


def _pitch(
    x: npt.NDArray[np.float32], rate: int, frame: int, grid: npt.NDArray[np.intp]
) -> tuple[FloatArray, BoolArray]:
    """YIN F0 for each frame starting at ``grid`` (0 and unvoiced where none is found)."""
    if grid.size == 0 or rate < 2 * PITCH_MAX_HZ:
        return np.zeros(grid.size), np.zeros(grid.size, dtype=bool)
    step = max(1, rate // _PITCH_RATE)
    # A box filter before decimating keeps most fold-over out of the pitch band; strided
    # sums run several times faster than a mean over a reshaped axis.
    count = len(x) // step
    y = sum((x[i : count * step : step] for i in range(step)), np.zeros(count, np.float32))
    y /= np.float32(step)
    low_rate = rate / step
    window = round(0.025 * low_rate)
    max_lag = min(int(low_rate / PITCH_MIN_HZ), window)
    min_lag = max(2, int(low_rate / PITCH_MAX_HZ))
    span = window + max_lag
    padded = np.concatenate((y, np.zeros(span, dtype=y.dtype)))
    # The autocorrelation's FFTs in single precision (numpy >= 2 keeps float32 so), the
    # energies in double: the FFTs were most of the analysis of a short clip, and float32's
    # error (~1e-7 of a frame's energy) is far below YIN's threshold; every clip of
    # ../shared/audio and of the voicemail set keeps its pitch and spread to the digit.
    segs32 = padded[(grid * frame // step)[:, None] + np.arange(span)]
    segs = segs32.astype(np.float64)

    # YIN's difference function over the whole segment, (x[j] - x[j+lag])^2 summed where both
    # exist (at least ``window`` terms), from one autocorrelation: two FFTs a frame. Zero
    # padding to >= span + max_lag keeps the circular correlation from wrapping.
    size = 1 << int(np.ceil(np.log2(span + max_lag)))
    spectrum = np.fft.rfft(segs32, size, axis=1)
    corr = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, size, axis=1)[:, : max_lag + 1]
    energy = np.concatenate((np.zeros((len(segs), 1)), np.cumsum(segs**2, axis=1)), axis=1)
    lags = np.arange(max_lag + 1)
    # Energy of the first span-lag samples plus that of the last span-lag samples.
    # (Slices, not gathers: energy[:, span - lags] is the columns span down to span - max_lag.)
    paired = (
        energy[:, span - max_lag : span + 1][:, ::-1]
        + energy[:, span : span + 1]
        - energy[:, : max_lag + 1]
    )
    diff = np.maximum(paired - 2 * corr, 0.0)
    # YIN's cumulative-mean normalisation: near 0 at a true period, ~1 for noise.
    norm = np.ones_like(diff)
    norm[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(np.cumsum(diff[:, 1:], axis=1), 1e-20)

    mid = norm[:, min_lag:max_lag]
    dips = (mid < norm[:, min_lag - 1 : max_lag - 1]) & (mid <= norm[:, min_lag + 1 : max_lag + 1])
    dips &= mid < _YIN_THRESHOLD
    found = dips.any(axis=1)
    first = np.argmax(dips, axis=1) + min_lag
    rows = np.arange(len(segs))
    # Parabolic interpolation puts the period between samples.
    a, b, c = norm[rows, first - 1], norm[rows, first], norm[rows, first + 1]
    bend = a - 2 * b + c
    safe = np.where(np.abs(bend) > 1e-12, bend, 1.0)
    shift = np.where(np.abs(bend) > 1e-12, 0.5 * (a - c) / safe, 0.0)
    hz = low_rate / (first + np.clip(shift, -1, 1))
    found &= (hz >= PITCH_MIN_HZ) & (hz <= PITCH_MAX_HZ)
    return np.where(found, hz, 0.0), found


def _pure_tone(
    x: npt.NDArray[np.float32], rate: int, frame: int, voiced: npt.NDArray[np.intp]
) -> bool:
    """Whether the sound at the voiced frames ``voiced`` is one or two sinusoids."""
    size = 1 << round(np.log2(_TONE_WINDOW_S * rate))
    starts = np.minimum(voiced * frame, max(0, len(x) - size))
    starts = starts[:: max(1, -(-starts.size // _TONE_WINDOWS))]
    chunk = x[starts[:, None] + np.arange(min(size, len(x)))]
    chunk = chunk - chunk.mean(axis=1, keepdims=True)
    # In float32 (as the pitch's FFTs): a steady voice-like buzz pays for this check too.
    spectrum = np.fft.rfft(chunk * _hann(chunk.shape[1]), axis=1)
    power = (spectrum.real**2 + spectrum.imag**2).astype(np.float64)
    total = power.sum(axis=1)
    bins = np.arange(power.shape[1])
    for _ in range(_TONE_PEAKS):
        peak = np.argmax(power, axis=1)[:, None]
        power[np.abs(bins - peak) <= _TONE_PEAK_BINS] = 0.0
    return bool(np.all(power.sum(axis=1) < _TONE_REST * np.maximum(total, 1e-20)))


@cache
def _hann(size: int) -> npt.NDArray[np.float32]:
    return np.hanning(size).astype(np.float32)


def _music_points(active: BoolArray, f0: FloatArray, voiced: BoolArray, hop_s: float) -> int:
    """Grid points inside long, continuously tonal stretches on steady pitches."""
    per_block = max(2, round(_MUSIC_BLOCK_S / hop_s))
    blocks = active.size // per_block
    if blocks < _MUSIC_MIN_BLOCKS:
        return 0
    shape = (blocks, per_block)
    act = active[: blocks * per_block].reshape(shape)
    voi = voiced[: blocks * per_block].reshape(shape)
    semis = 12 * np.log2(np.maximum(f0[: blocks * per_block], 1.0)).reshape(shape)
    lag = min(per_block - 1, max(1, round(_MUSIC_LAG_S / hop_s)))
    both = voi[:, lag:] & voi[:, :-lag]
    # Median step per block over voiced pairs; a block without any gets an impossible step.
    steps = np.sort(np.where(both, np.abs(semis[:, lag:] - semis[:, :-lag]), np.inf), axis=1)
    counts = both.sum(axis=1)
    median_step = np.where(
        counts > 0, steps[np.arange(blocks), np.maximum(counts - 1, 0) // 2], np.inf
    )
    tonal = (
        (act.mean(axis=1) >= _MUSIC_ACTIVE)
        & (voi.mean(axis=1) >= _MUSIC_VOICED)
        & (median_step < _MUSIC_STEP_SEMITONES)
    )
    starts, ends = _runs(tonal)
    runs = ends - starts
    return int(runs[runs >= _MUSIC_MIN_BLOCKS].sum()) * per_block
