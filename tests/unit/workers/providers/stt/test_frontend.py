from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import decode_pcm16k
from workers.providers.base import AudioInput
from workers.providers.stt import frontend
from workers.providers.stt.frontend import Span
from workers.providers.stt.pocketsphinx_stt import PocketsphinxStt

RATE = 16_000
SHARED_CLIP = Path(__file__).resolve().parents[6] / "shared/audio/ps_librivox_0870.wav"


def _tone(hz: float, seconds: float, amplitude: float) -> npt.NDArray[np.float64]:
    t = np.arange(int(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * hz * t)


def _speechlike(seconds: float, amplitude: float, seed: int = 1) -> npt.NDArray[np.float64]:
    """Broadband noise shaped by a 4 Hz syllable envelope: the VAD takes it for speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    voiced = sum(_tone(f0, seconds, 1.0) for f0 in (150, 300, 450, 900, 1800))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)
    return amplitude * envelope * (voiced / 5 + 0.3 * rng.normal(0, 1, len(t)))


def _int16(signal: npt.NDArray[np.float64]) -> npt.NDArray[np.int16]:
    return np.clip(np.round(signal), -32768, 32767).astype(np.int16)


def _band_limit(
    signal: npt.NDArray[np.float64], low: float, high: float
) -> npt.NDArray[np.float64]:
    spectrum = np.fft.rfft(signal)
    freqs = np.fft.rfftfreq(len(signal), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(signal))


def _rms(signal: npt.NDArray[np.float32] | npt.NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.square(signal.astype(np.float64)))))


@pytest.mark.parametrize("hum_hz", [50.0, 60.0])
def test_highpass_removes_mains_hum_and_keeps_speech_band(hum_hz: float) -> None:
    hum = _tone(hum_hz, 2.0, 8000)
    voice = _tone(440, 2.0, 3000)

    filtered = frontend.highpass(_int16(hum + voice + 500))  # + a DC offset

    middle = slice(RATE // 2, -RATE // 2)
    residual = filtered[middle] - voice[middle]
    # Hum 8000 and DC 500 in, under 1% of the hum left; the 440 Hz tone passes unchanged.
    assert _rms(residual) < 0.01 * _rms(hum)
    assert _rms(filtered[middle]) == pytest.approx(_rms(voice[middle]), rel=0.02)


def test_quiet_speech_is_raised_to_the_target_level_without_clipping() -> None:
    quiet = np.concatenate([_speechlike(2.0, 500), np.zeros(3 * RATE)]).astype(np.float32)

    loud = frontend.normalise_loudness(quiet)

    level = frontend.speech_level_dbfs(loud.astype(np.float32))
    assert level == pytest.approx(frontend.TARGET_DBFS, abs=1.0)
    assert int(np.abs(loud.astype(np.int32)).max()) < 32767


def test_loudness_gain_is_lowered_rather_than_clipping_a_peaky_signal() -> None:
    peaky = _speechlike(2.0, 300).astype(np.float32)
    peaky[RATE] = 20000  # one click far above the speech

    result = frontend.normalise_loudness(peaky)

    assert int(np.abs(result.astype(np.int32)).max()) <= 32767 * 0.95 + 1
    assert int(np.abs(result.astype(np.int32)).max()) > 30000


def test_very_faint_audio_is_not_boosted_beyond_the_gain_cap() -> None:
    faint = _speechlike(1.0, 2).astype(np.float32)
    result = frontend.normalise_loudness(faint)
    gain_db = 20 * np.log10(_rms(result.astype(np.float32)) / _rms(faint))
    assert gain_db <= frontend.MAX_GAIN_DB + 0.5


def test_vad_drops_long_silence_and_noise_and_keeps_padded_speech() -> None:
    rng = np.random.default_rng(4)
    hiss = rng.normal(0, 5, 10 * RATE)
    signal = hiss.copy()
    signal[2 * RATE : 4 * RATE] += _speechlike(2.0, 4000, seed=2)
    signal[7 * RATE : 8 * RATE] += _speechlike(1.0, 4000, seed=3)

    segments = frontend.voiced_segments(_int16(signal))

    pad = frontend.VAD_PADDING_S * RATE
    # webrtcvad itself holds on a few frames after speech stops.
    slack = 7 * frontend.VAD_FRAME_S * RATE

    def covering(start: int, end: int) -> tuple[int, int]:
        return next(seg for seg in segments if seg[0] <= start and seg[1] >= end)

    # Each speech stretch lies in one region reaching about the padding beyond it.
    first_start, first_end = covering(2 * RATE, 4 * RATE)
    assert 2 * RATE - pad - slack <= first_start <= 2 * RATE - pad + slack
    assert 4 * RATE + pad - slack <= first_end <= 4 * RATE + pad + slack
    second_start, second_end = covering(7 * RATE, 8 * RATE)
    assert second_start <= 7 * RATE - pad + slack
    assert second_end >= 8 * RATE + pad - slack
    # The 3 s of hiss between them and the tail are dropped.
    assert first_end < second_start
    assert second_end < len(signal) - RATE
    kept = sum(end - start for start, end in segments)
    assert kept < 0.7 * len(signal)


def test_vad_finds_nothing_in_silence() -> None:
    assert frontend.voiced_segments(np.zeros(3 * RATE, dtype=np.int16)) == []


def test_vad_merges_regions_separated_by_a_short_pause() -> None:
    signal = np.zeros(5 * RATE)
    signal[RATE : 2 * RATE] = _speechlike(1.0, 4000)
    signal[int(2.3 * RATE) : int(3.3 * RATE)] = _speechlike(1.0, 4000, seed=5)
    assert len(frontend.voiced_segments(_int16(signal))) == 1


def test_compacted_times_map_back_to_the_original_timeline() -> None:
    pcm = np.arange(10 * RATE, dtype=np.int64).astype(np.int16)
    segments = [(1 * RATE, 3 * RATE), (6 * RATE, 8 * RATE)]

    joined, spans = frontend.compact(pcm, segments)

    assert len(joined) == 4 * RATE
    assert spans == [Span(RATE, 0, 2 * RATE), Span(6 * RATE, 2 * RATE, 2 * RATE)]
    assert np.array_equal(joined[2 * RATE :], pcm[6 * RATE : 8 * RATE])
    assert frontend.to_source_seconds(0.5, spans) == pytest.approx(1.5)
    assert frontend.to_source_seconds(2.5, spans) == pytest.approx(6.5)
    assert frontend.to_source_seconds(4.0, spans) == pytest.approx(8.0)
    # The join: a start belongs to the later region, an end to the earlier one.
    assert frontend.to_source_seconds(2.0, spans) == pytest.approx(6.0)
    assert frontend.to_source_seconds(2.0, spans, is_end=True) == pytest.approx(3.0)


def test_compacting_nothing_gives_empty_audio() -> None:
    joined, spans = frontend.compact(np.ones(RATE, dtype=np.int16), [])
    assert len(joined) == 0
    assert spans == []


def test_telephone_band_is_detected_on_band_limited_audio_only() -> None:
    wideband = _speechlike(3.0, 3000) + np.random.default_rng(6).normal(0, 300, 3 * RATE)
    telephone = _band_limit(wideband, 300, 3400)

    assert frontend.is_telephone_band(_int16(telephone))
    assert not frontend.is_telephone_band(_int16(wideband))


def test_silence_is_not_called_telephone_band() -> None:
    assert not frontend.is_telephone_band(np.zeros(RATE, dtype=np.int16))


@pytest.mark.skipif(not SHARED_CLIP.is_file(), reason="../shared/audio is not present")
def test_real_clip_transcribes_with_confidences_and_ordered_times() -> None:
    speech = decode_pcm16k(SHARED_CLIP.read_bytes())
    # Long silences either side: cut out for decoding, yet times stay on the original clock.
    silence = np.zeros(5 * RATE, dtype=np.int16)
    padded = np.concatenate([silence, speech, silence])
    stt = PocketsphinxStt()

    result = stt.transcribe(
        AudioInput(data=b"", media_type="audio/wav", extension="wav", pcm16k=padded)
    )

    assert "leisure" in result.text.split()
    assert result.details["voiced_s"] < len(padded) / RATE - 6
    assert result.details["telephone_band"] is False
    for word in result.words:
        assert word.confidence is not None
        assert 0.0 <= word.confidence <= 1.0
        assert word.start_s is not None
        assert word.end_s is not None
        assert 5.0 - frontend.VAD_PADDING_S <= word.start_s < word.end_s
        assert word.end_s <= 5.0 + len(speech) / RATE + 0.01
    for earlier, later in pairwise(result.words):
        assert (earlier.end_s or 0.0) <= (later.start_s or 0.0)
