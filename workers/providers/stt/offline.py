"""What both offline speech engines share: the language check, the silence gate, and the
front end's preparation of the audio with its mapping of word times back to the recording."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shared.errors import StageFailed
from shared.models import Word
from shared.stt_languages import is_english
from workers.providers.base import AudioInput
from workers.providers.stt import frontend

SAMPLE_RATE = 16_000
# Where an engine without word confidences (Moonshine) keeps the mean probability of the
# tokens it chose: the review's stand-in for their mean confidence.
CHOSEN_PROBABILITY = "token_confidence"

# Digital silence makes an engine invent words (pocketsphinx says "dog"; Whisper's inventions
# in noise are in whisper_loops.hallucinated), so audio whose loudest sample is below this
# (about -72 dBFS) is treated as silent without being decoded.
SILENCE_PEAK = 8
# Shorter audio than a few 10 ms frames gives an engine an empty feature buffer.
MIN_SAMPLES = 4 * SAMPLE_RATE // 100

# 10 ms frames; before each cut-off, the quietest stretch (a moving average of this many
# frames, so one quiet frame inside a word is no pause) within _CUT_SEARCH_S is cut at.
_SAMPLES_PER_FRAME = SAMPLE_RATE // 100
_CUT_SEARCH_S = 10.0
_CUT_WINDOW_FRAMES = 10


def require_english(language: str | None, understood: str) -> None:
    """Refuse, with what the engine does understand, a language its model cannot hear."""
    if not is_english(language):
        raise StageFailed(
            "unsupported_language",
            f"the local speech engine only understands {understood}, not {language!r}; "
            "ask for language 'en' or choose another stt provider",
        )


def english_pcm(audio: AudioInput, understood: str) -> tuple[npt.NDArray[np.int16], float]:
    """The upload's samples as one int16 row, and their length in seconds, once its language
    is one an English model hears (``understood`` names the model's in the refusal)."""
    require_english(audio.language, understood)
    pcm = np.ascontiguousarray(audio.pcm16k, dtype=np.int16).reshape(-1)
    return pcm, len(pcm) / SAMPLE_RATE


def details(
    engine: str, model: str, decode_s: float, duration_s: float, prepared: Prepared | None
) -> dict[str, object]:
    """What a transcript says of how an offline engine heard it."""
    return {
        "engine": engine,
        "model": model,
        "decode_s": round(decode_s, 3),
        "real_time_factor": round(decode_s / duration_s, 3) if duration_s else None,
        # Seconds of audio the VAD kept for decoding, and whether it came through an 8 kHz
        # telephone channel (None: too short or silent to tell).
        "voiced_s": round(len(prepared.pcm) / SAMPLE_RATE, 2) if prepared else None,
        "telephone_band": prepared.telephone if prepared else None,
    }


def has_sound(pcm: npt.NDArray[np.int16]) -> bool:
    """Whether ``pcm`` is long and loud enough to be worth decoding at all."""
    return len(pcm) >= MIN_SAMPLES and int(np.abs(pcm, dtype=np.int32).max()) >= SILENCE_PEAK


@dataclass(frozen=True)
class FrontEnd:
    """Which front-end steps an engine runs (each engine measured its own; see callers)."""

    highpass: bool = False
    normalise_loudness: bool = False
    vad: bool = True


@dataclass(frozen=True)
class Prepared:
    # The audio to decode: cleaned, pauses cut out.
    pcm: npt.NDArray[np.int16]
    # Where each decoded stretch lies in the recording.
    spans: list[frontend.Span]
    # Whether the recording came through an 8 kHz telephone channel.
    telephone: bool


def prepare(pcm: npt.NDArray[np.int16], steps: FrontEnd) -> Prepared:
    if not (steps.highpass or steps.normalise_loudness):
        # The samples as they are: as floats, rounded and clipped back, they were the very
        # same int16 samples, by way of three transient copies of the recording.
        telephone = frontend.is_telephone_band(pcm)
        cleaned = pcm.copy()
    else:
        signal = frontend.highpass(pcm) if steps.highpass else pcm.astype(np.float32)
        telephone = frontend.is_telephone_band(signal)
        if steps.normalise_loudness:
            cleaned = frontend.normalise_loudness(signal)
        else:
            cleaned = np.clip(np.round(signal), -32768, 32767).astype(np.int16)
    whole = [frontend.Span(0, 0, len(cleaned))]
    if not steps.vad:
        return Prepared(cleaned, whole, telephone)
    segments = frontend.voiced_segments(cleaned)
    if not segments:
        # The energy gate before the engine found sound the VAD calls no voice (a whisper,
        # an odd synthetic voice): decode it all rather than return nothing.
        return Prepared(cleaned, whole, telephone)
    compacted, spans = frontend.compact(cleaned, segments)
    return Prepared(compacted, spans, telephone)


def to_source_times(words: list[Word], spans: list[frontend.Span]) -> list[Word]:
    """``words`` with times on the decoded (compacted) timeline moved to the original one.

    A word is said without a pause, so one the engine timed across a join (its start a few
    hundredths of a second before the end of a stretch of speech, its end in the next) is
    put in the stretch that holds more of it: mapped as it was, it spanned the pause cut out
    between them ("minute" from 2730.76 to 2760.24 s in an hour's call, its next word at
    2760.24)."""
    mapped: list[Word] = []
    joins = [span.compact_start / SAMPLE_RATE for span in spans[1:]]
    for word in words:
        start_c, end_c = word.start_s or 0.0, word.end_s or 0.0
        join = _join_within(start_c, end_c, joins)
        if join is not None and join - start_c < end_c - join:
            start_c = join
        elif join is not None:
            end_c = join
        start = frontend.to_source_seconds(start_c, spans)
        end = frontend.to_source_seconds(end_c, spans, is_end=True)
        mapped.append(word.model_copy(update={"start_s": round(start, 2), "end_s": round(end, 2)}))
    return mapped


def _join_within(start_s: float, end_s: float, joins: list[float]) -> float | None:
    """The last of ``joins`` (where kept stretches meet, in compacted seconds, rising)
    strictly inside ``start_s..end_s``, or None."""
    before_end = bisect_left(joins, end_s) - 1
    return joins[before_end] if before_end >= 0 and joins[before_end] > start_s else None


def quiet_cuts(pcm: npt.NDArray[np.int16], max_s: float) -> list[tuple[int, int]]:
    """Sample ranges covering ``pcm``, each at most ``max_s`` long, cut at quiet moments
    (engines decode long audio in such stretches)."""
    total = len(pcm)
    limit = int(max_s * SAMPLE_RATE)
    if total <= limit:
        return [(0, total)]

    n_frames = total // _SAMPLES_PER_FRAME
    frames = pcm[: n_frames * _SAMPLES_PER_FRAME].reshape(n_frames, _SAMPLES_PER_FRAME)
    energy = np.square(frames, dtype=np.float64).mean(axis=1)
    # A short moving average so one quiet frame inside a word does not count as a pause.
    smooth = np.convolve(energy, np.ones(_CUT_WINDOW_FRAMES) / _CUT_WINDOW_FRAMES, "same")

    bounds: list[tuple[int, int]] = []
    start = 0
    limit_frames = limit // _SAMPLES_PER_FRAME
    search_frames = int(_CUT_SEARCH_S * SAMPLE_RATE) // _SAMPLES_PER_FRAME
    while total - start > limit:
        first = start // _SAMPLES_PER_FRAME
        hi = min(first + limit_frames, n_frames)
        lo = max(first + 1, hi - search_frames)
        cut = (lo + int(np.argmin(smooth[lo:hi]))) * _SAMPLES_PER_FRAME
        bounds.append((start, cut))
        start = cut
    bounds.append((start, total))
    return bounds
