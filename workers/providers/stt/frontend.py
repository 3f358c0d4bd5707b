"""Signal clean-up in front of the offline speech engine, for real telephone recordings.

Each step is a small function on 16 kHz mono audio so it can be measured and tested alone:

- ``highpass``: removes mains hum and DC offset, which inflate loudness and fool the VAD;
- ``normalise_loudness``: brings the speech (not the silence) to a fixed level, no clipping;
- ``voiced_segments``: webrtcvad speech regions, padded so word onsets and endings survive;
- ``compact`` / ``Span.to_source``: joins the regions for decoding and maps times back;
- ``is_telephone_band``: whether the audio went through an 8 kHz (300-3400 Hz) channel.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RATE = 16_000

# Mains hum is 50/60 Hz; the lowest voices start around 85 Hz, and the engine's filter bank
# ignores everything under 130 Hz anyway, so a cut ramping over 60-100 Hz costs no speech.
HIGHPASS_STOP_HZ = 60.0
HIGHPASS_PASS_HZ = 100.0

TARGET_DBFS = -20.0
# A near-silent recording is mostly noise; boosting it further only amplifies the noise.
MAX_GAIN_DB = 30.0
# Headroom kept under full scale so the int16 result never clips.
_PEAK_LIMIT = 0.95 * 32767

# Modes 2 and 3 dropped soft speech in 15 dB noise and cost WER there; 1 did not.
VAD_MODE = 1
VAD_FRAME_S = 0.03
_VAD_FRAME = int(VAD_FRAME_S * RATE)
# webrtcvad decides per 30 ms frame and misses soft onsets (/f/, /h/) and trailing
# consonants; this much audio either side of each region keeps them. 0.25-0.35 s still cost
# words on noisy copies of the shared clips; 0.6 s matched full decoding there.
VAD_PADDING_S = 0.6
# Clicks and bursts shorter than this are noise, not words.
VAD_MIN_SPEECH_S = 0.12

# Above ~3.8 kHz an 8 kHz telephone channel leaves only resampler leakage.
TELEPHONE_SPLIT_HZ = 3800.0
# Wideband speech keeps roughly -15..-35 dB of its energy above 3.8 kHz (fricatives);
# a telephone channel (measured through mu-law and back) leaves -42 dB or less.
TELEPHONE_RATIO_DB = -38.0

FloatArray = npt.NDArray[np.float32]
Pcm = npt.NDArray[np.int16]


def highpass(pcm: npt.NDArray[np.int16] | FloatArray) -> FloatArray:
    """``pcm`` without its energy below ~80 Hz (hum, DC, rumble), as float32 samples.

    Done in the frequency domain over the whole signal: without scipy a vectorised IIR is
    not available, and one real FFT is milliseconds per minute of audio. The gain ramps
    smoothly from 0 to 1 so the cut does not ring audibly around transients.
    """
    signal = np.asarray(pcm, dtype=np.float32).reshape(-1)
    if len(signal) < 2:
        return signal.copy()
    spectrum = np.fft.rfft(signal)
    freqs = np.fft.rfftfreq(len(signal), 1.0 / RATE)
    ramp = np.clip((freqs - HIGHPASS_STOP_HZ) / (HIGHPASS_PASS_HZ - HIGHPASS_STOP_HZ), 0, 1)
    spectrum *= (0.5 - 0.5 * np.cos(np.pi * ramp)).astype(np.float32)
    return np.fft.irfft(spectrum, len(signal)).astype(np.float32, copy=False)


def _frame_power(signal: FloatArray, frame: int) -> FloatArray:
    count = len(signal) // frame
    power: FloatArray = np.empty(count, dtype=np.float32)
    # In blocks (see _BAND_BLOCK_FRAMES): in float64 at once, the frames and their squares
    # held eight bytes each for every byte of the float32 signal.
    for first in range(0, count, _BAND_BLOCK_FRAMES):
        last = min(count, first + _BAND_BLOCK_FRAMES)
        frames = signal[first * frame : last * frame].reshape(-1, frame).astype(np.float64)
        power[first:last] = np.mean(np.square(frames), axis=1)
    return power


def speech_level_dbfs(signal: FloatArray) -> float | None:
    """The RMS level of the active speech in ``signal`` (dBFS), or None if it is silent.

    Averaging over every frame would let long pauses drag the level down and make the
    gain depend on how much silence a caller left, so only frames within 30 dB of the
    loud end (95th percentile) count, a simple take on ITU-T P.56 active level.
    """
    power = _frame_power(signal, _VAD_FRAME)
    if not len(power) or float(power.max()) <= 0.0:
        return None
    loud = float(np.percentile(power, 95))
    active = power[power >= loud * 1e-3]
    return float(10 * np.log10(float(active.mean()) / 32768.0**2))


def normalise_loudness(signal: FloatArray, target_dbfs: float = TARGET_DBFS) -> Pcm:
    """``signal`` as int16 with its speech at ``target_dbfs``, gain capped and never clipped."""
    level = speech_level_dbfs(signal)
    gain_db = 0.0 if level is None else min(target_dbfs - level, MAX_GAIN_DB)
    gain = 10 ** (gain_db / 20)
    peak = max(float(signal.max()), -float(signal.min())) if len(signal) else 0.0
    if peak * gain > _PEAK_LIMIT:
        # A lower gain rather than a limiter: the engine normalises its features over the
        # utterance anyway, so level matters less than an undistorted waveform.
        gain = _PEAK_LIMIT / peak
    scaled = signal * np.float32(gain)
    return np.round(scaled, out=scaled).astype(np.int16)


def voiced_frames(pcm: Pcm, mode: int | None = None) -> npt.NDArray[np.bool_]:
    """webrtcvad's speech decision per 30 ms frame of ``pcm`` (a trailing partial is dropped).

    ``mode`` is webrtcvad's aggressiveness, 0-3; None means VAD_MODE.
    """
    # Imported here so that importing the provider stays cheap for API processes.
    # pyproject's list of untyped packages is not this module's to edit.
    import webrtcvad  # type: ignore[import-untyped]

    vad = webrtcvad.Vad(VAD_MODE if mode is None else mode)
    count = len(pcm) // _VAD_FRAME
    raw = np.ascontiguousarray(pcm[: count * _VAD_FRAME], dtype="<i2").tobytes()
    step = 2 * _VAD_FRAME
    return np.fromiter(
        (vad.is_speech(raw[i * step : (i + 1) * step], RATE) for i in range(count)),
        dtype=np.bool_,
        count=count,
    )


def voiced_segments(
    pcm: Pcm, mode: int | None = None, padding_s: float | None = None
) -> list[tuple[int, int]]:
    """Sample ranges of ``pcm`` holding speech, padded by ``padding_s`` (VAD_PADDING_S) each side.

    Regions whose padding touches are merged, so a short pause inside a sentence stays
    in one region and only pauses longer than twice the padding are cut out.
    """
    voiced = voiced_frames(pcm, mode)
    pad = round((VAD_PADDING_S if padding_s is None else padding_s) / VAD_FRAME_S)
    min_frames = max(1, round(VAD_MIN_SPEECH_S / VAD_FRAME_S))
    segments: list[tuple[int, int]] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    for first, last in zip(edges[::2], edges[1::2], strict=True):
        if last - first < min_frames:
            continue
        start = max(0, (int(first) - pad) * _VAD_FRAME)
        end = min(len(pcm), (int(last) + pad) * _VAD_FRAME)
        if segments and start <= segments[-1][1]:
            segments[-1] = (segments[-1][0], end)
        else:
            segments.append((start, end))
    if segments and segments[-1][1] >= len(voiced) * _VAD_FRAME:
        # The trailing partial frame the VAD cannot judge belongs to speech running on.
        segments[-1] = (segments[-1][0], len(pcm))
    return segments


@dataclass(frozen=True)
class Span:
    """One kept region: where it starts in the original audio and in the compacted one."""

    source_start: int
    compact_start: int
    length: int


def compact(pcm: Pcm, segments: Sequence[tuple[int, int]]) -> tuple[Pcm, list[Span]]:
    """The ``segments`` of ``pcm`` joined end to end, with where each one came from.

    No artificial silence is put between them: each carries its own padding of real
    background, and digital silence is what makes the engine hallucinate words.
    """
    spans: list[Span] = []
    position = 0
    for start, end in segments:
        spans.append(Span(start, position, end - start))
        position += end - start
    if not spans:
        return np.zeros(0, dtype=np.int16), spans
    joined = np.concatenate([pcm[start:end] for start, end in segments]).astype(np.int16)
    return joined, spans


def to_source_seconds(compact_s: float, spans: Sequence[Span], *, is_end: bool = False) -> float:
    """A time on the compacted timeline, in seconds, mapped to the original audio.

    An end time falling exactly on a join belongs to the span before it, so a word that
    ends where a cut-out pause begins does not stretch over the pause.
    """
    if not spans:
        return compact_s
    sample = compact_s * RATE
    starts = [span.compact_start for span in spans]
    index = max(0, bisect_right(starts, sample) - 1)
    if is_end and index > 0 and sample <= spans[index].compact_start:
        index -= 1
    span = spans[index]
    within = min(max(sample - span.compact_start, 0.0), float(span.length))
    return (span.source_start + within) / RATE


# Frames whose spectrum is taken at once: ~2 MB, where the spectrum of a whole recording at
# once held ~7 bytes for each of its int16 bytes (800 MB for an hour, twice over while both
# engines prepared the same recording).
_BAND_BLOCK_FRAMES = 2048


def high_band_ratio_db(signal: FloatArray | Pcm) -> float | None:
    """Energy above TELEPHONE_SPLIT_HZ relative to 300-3400 Hz (dB), over the louder frames."""
    samples = np.asarray(signal).reshape(-1)
    frame = 512
    count = len(samples) // frame
    if count == 0:
        return None
    window = np.hanning(frame).astype(np.float32)
    freqs = np.fft.rfftfreq(frame, 1.0 / RATE)
    band_bins, high_bins = (freqs >= 300) & (freqs <= 3400), freqs >= TELEPHONE_SPLIT_HZ
    in_band, high = np.empty(count), np.empty(count)
    for first in range(0, count, _BAND_BLOCK_FRAMES):
        last = min(count, first + _BAND_BLOCK_FRAMES)
        block = samples[first * frame : last * frame].astype(np.float32).reshape(-1, frame)
        power = np.square(np.abs(np.fft.rfft(block * window, axis=1)))
        in_band[first:last] = power[:, band_bins].sum(axis=1)
        high[first:last] = power[:, high_bins].sum(axis=1)
    # Pauses hold only noise, whose spectrum says nothing about the channel's bandwidth.
    loud = in_band >= np.percentile(in_band, 50)
    band = float(in_band[loud].sum())
    if band <= 0.0:
        return None
    return float(10 * np.log10(max(float(high[loud].sum()), 1e-12) / band))


def is_telephone_band(signal: FloatArray | Pcm) -> bool:
    """Whether ``signal`` carries (almost) nothing above 3.8 kHz, as after an 8 kHz line.

    Only reported, not acted on: narrowing the engine's filter bank to the telephone band
    (``upperf`` 3500-5000 Hz) made telephone WER much worse (0.60 -> 0.74-0.99), because
    the wideband en-us model was trained on the full 130-6800 Hz bank.
    """
    ratio = high_band_ratio_db(signal)
    return ratio is not None and ratio < TELEPHONE_RATIO_DB
