"""Noise Whisper writes as punctuation alone gives an empty transcript flagged no_speech
(workers.providers.stt.whisper_decoding), not a transcript of "."."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.settings import LocalEngineSettings
from shared.settings.review import ReviewSettings
from tests.unit.workers.providers.stt.offline_speech import RATE, as_input
from workers.providers.stt.whisper_offline import WhisperOfflineStt
from workers.review import Reason, transcript_reasons


def _pink_noise(seconds: float) -> npt.NDArray[np.int16]:
    """Pink noise at about -30 dBFS."""
    samples = int(seconds * RATE)
    spectrum = np.fft.rfft(np.random.default_rng(7).standard_normal(samples))
    frequencies = np.fft.rfftfreq(samples)
    frequencies[0] = frequencies[1]
    noise = np.fft.irfft(spectrum / np.sqrt(frequencies), samples)
    return (noise / np.std(noise) * 1000).astype(np.int16)


@dataclass
class _Word:
    word: str
    start: float
    end: float
    probability: float = 0.4


@dataclass
class _Segment:
    text: str
    start: float
    end: float
    no_speech_prob: float
    compression_ratio: float = 0.38
    seek: int = 0
    tokens: list[int] = field(default_factory=list)
    words: list[_Word] = field(default_factory=list)


class _FullStopsModel:
    """Writes " ." over 10 s of noise it scores at 0.79 no speech, as Whisper base did over
    a held organ chord (under the bar at which its segments are dropped as invented)."""

    def start_hearing(self) -> None:
        pass

    def heard_language(self) -> None:
        return None

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[_Segment], None]:
        return [
            _Segment(" .", 0.0, 5.0, 0.79, words=[_Word(" .", 0.0, 5.0)]),
            _Segment(" ...", 5.0, 10.0, 0.79, words=[_Word(" ...", 5.0, 10.0)]),
        ], None


def test_noise_written_as_full_stops_alone_gives_an_empty_transcript_flagged_no_speech() -> None:
    stt = WhisperOfflineStt(LocalEngineSettings(second_engine=False, rescore_caller_name=False))
    stt._model = _FullStopsModel()

    transcript = stt.transcribe(as_input(_pink_noise(10.0)))

    assert transcript.text == ""
    assert transcript.words == []
    assert Reason.NO_SPEECH in transcript_reasons(transcript, ReviewSettings())
