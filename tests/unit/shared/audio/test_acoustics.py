"""Acoustic estimates from synthetic signals whose answers are known, and one real clip."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from shared.analysis import ESTIMATES_NOTE, AudioAnalysis
from shared.audio import decode_pcm16k
from shared.audio.acoustics import analyze_audio, percentile
from tests.audio_factory import SHARED_AUDIO, shared_wav_clips

RATE = 16000
Signal = npt.NDArray[np.float64]


def _harmonic(hz: float | Signal, seconds: float, rate: int = RATE, level: float = 0.3) -> Signal:
    """A voice-like buzz: eight harmonics falling off as 1/k, at a fixed or moving pitch."""
    n = round(seconds * rate)
    freq = np.broadcast_to(np.asarray(hz, dtype=np.float64), (n,))
    phase = 2 * np.pi * np.cumsum(freq) / rate
    wave = sum(np.sin(k * phase) / k for k in range(1, 9))
    return np.asarray(level * wave / np.max(np.abs(wave)), dtype=np.float64)


def _gap(seconds: float, rate: int = RATE) -> Signal:
    return np.zeros(round(seconds * rate))


def _pcm(signal: Signal) -> npt.NDArray[np.int16]:
    return np.asarray(np.clip(np.round(signal * 32767), -32768, 32767), dtype=np.int16)


def _bursts(count: int, burst_s: float, gap_s: float, rng: np.random.Generator) -> Signal:
    """Syllable-like bursts, each a pitch glide, with silence before, between and after."""
    parts = [_gap(gap_s)]
    for _ in range(count):
        start = rng.uniform(110, 180)
        parts += [_harmonic(np.linspace(start, start * 1.3, round(burst_s * RATE)), burst_s)]
        parts += [_gap(gap_s)]
    return np.concatenate(parts)


def _analyze(signal: Signal, **kwargs: int) -> AudioAnalysis:
    return analyze_audio(_pcm(signal), RATE, **kwargs)


def test_a_200_hz_harmonic_tone_is_heard_at_200_hz_with_steady_pitch() -> None:
    result = _analyze(_harmonic(200.0, 1.5))

    assert result.pitch_hz_median == pytest.approx(200, abs=3)
    assert result.pitch_variation_semitones is not None
    assert result.pitch_variation_semitones < 0.3


def test_a_low_voice_at_90_hz_is_not_mistaken_for_its_octave() -> None:
    assert _analyze(_harmonic(90.0, 1.5)).pitch_hz_median == pytest.approx(90, abs=2)


def test_a_tone_gliding_over_an_octave_varies_in_pitch_by_semitones() -> None:
    steady = _analyze(_harmonic(160.0, 2.0))
    glide = _analyze(_harmonic(np.geomspace(120, 240, 2 * RATE), 2.0))

    assert glide.pitch_variation_semitones is not None
    assert steady.pitch_variation_semitones is not None
    # An even glide over 12 semitones spreads about 3.5 either side of its middle.
    assert 2.5 < glide.pitch_variation_semitones < 5
    assert glide.pitch_variation_semitones > steady.pitch_variation_semitones + 2
    assert glide.pitch_hz_median == pytest.approx(170, rel=0.05)


def test_bursts_separated_by_half_second_silences_count_as_pauses() -> None:
    result = _analyze(_bursts(4, 0.4, 0.5, np.random.default_rng(1)))

    assert result.pause_count == 3
    assert result.longest_pause_s == pytest.approx(0.5, abs=0.06)
    assert result.speech_s == pytest.approx(1.6, abs=0.1)
    assert result.duration_s == pytest.approx(4.1)
    assert result.silence_share == pytest.approx(2.5 / 4.1, abs=0.03)


def test_gaps_shorter_than_the_pause_length_are_part_of_speech() -> None:
    result = _analyze(_bursts(4, 0.4, 0.15, np.random.default_rng(2)))

    assert result.pause_count == 0
    assert result.longest_pause_s == 0
    # Only the lead-in and tail are silent; the 0.15 s gaps between bursts are bridged.
    assert result.speech_s == pytest.approx(4 * 0.4 + 3 * 0.15, abs=0.1)


def test_speaking_rate_is_words_per_minute_of_speech_not_of_the_recording() -> None:
    signal = _bursts(5, 0.6, 0.5, np.random.default_rng(3))

    result = _analyze(signal, word_count=10)

    assert result.speech_s == pytest.approx(3.0, abs=0.1)
    assert result.speaking_rate_wpm == pytest.approx(200, rel=0.05)
    assert _analyze(signal).speaking_rate_wpm is None


def test_a_recording_with_sound_but_no_words_has_no_speaking_rate() -> None:
    # Music or noise the engine wrote nothing of: the field is documented as None without
    # words, and 0 wpm read as "slow speech" in the tone's cues.
    signal = _bursts(5, 0.6, 0.5, np.random.default_rng(3))

    assert _analyze(signal, word_count=0).speaking_rate_wpm is None


@pytest.mark.parametrize("snr_db", [15.0, 25.0])
def test_the_snr_estimate_recovers_the_level_of_mixed_in_white_noise(snr_db: float) -> None:
    rng = np.random.default_rng(4)
    burst = _harmonic(150.0, 0.5, level=0.2)
    signal = np.concatenate([_gap(0.5), burst, _gap(0.5), burst, _gap(0.5), burst, _gap(0.5)])
    noise_rms = math.sqrt(np.mean(burst**2)) / 10 ** (snr_db / 20)

    result = _analyze(signal + rng.normal(0, noise_rms, signal.size))

    assert result.snr_db == pytest.approx(snr_db, abs=3)
    assert result.pause_count == 2


def test_loudness_is_the_rms_of_speech_and_its_variation_follows_level_changes() -> None:
    tone = _harmonic(150.0, 0.5, level=1.0)
    tone /= math.sqrt(np.mean(tone**2))
    steady = np.concatenate([_gap(0.5), 0.1 * tone, 0.1 * tone, _gap(0.5)])
    uneven = np.concatenate([_gap(0.5), 0.1 * tone, 0.02 * tone, _gap(0.5)])

    assert _analyze(steady).loudness_dbfs == pytest.approx(-20, abs=0.5)
    assert _analyze(steady).loudness_variation_db < 0.5
    # Two equal halves 14 dB apart: a standard deviation of 7 dB.
    assert _analyze(uneven).loudness_variation_db == pytest.approx(7, abs=1)


def test_a_signal_driven_past_full_scale_reports_clipping() -> None:
    clean = _harmonic(200.0, 1.0, level=0.5)

    assert _analyze(clean).clipping_ratio == 0
    assert _analyze(clean * 4).clipping_ratio > 0.2


def test_speech_made_at_8_khz_and_upsampled_is_telephone_band() -> None:
    rng = np.random.default_rng(5)
    narrow = np.concatenate(
        [_gap(0.3, 8000), _harmonic(140.0, 0.6, rate=8000), rng.normal(0, 0.05, 4000)]
    )
    # Ideal band-limited interpolation: the spectrum padded with zeros above 4 kHz.
    upsampled = np.fft.irfft(np.fft.rfft(narrow), 2 * narrow.size) * 2

    assert _analyze(upsampled).bandwidth == "telephone"


def test_broadband_noise_bursts_are_wideband_unless_the_source_was_8_khz() -> None:
    rng = np.random.default_rng(6)
    signal = np.concatenate([_gap(0.3), rng.normal(0, 0.1, RATE // 2), _gap(0.3)])

    assert _analyze(signal).bandwidth == "wideband"
    assert _analyze(signal, source_rate=8000).bandwidth == "telephone"


def test_a_melody_of_steady_notes_counts_as_music_and_speech_does_not() -> None:
    notes = [196.0, 220.0, 247.0, 262.0, 294.0, 262.0, 247.0, 220.0, 196.0, 220.0]
    melody = np.concatenate([_harmonic(hz, 0.5) for hz in notes])

    assert _analyze(melody).music_share > 0.5
    assert _analyze(_bursts(8, 0.5, 0.35, np.random.default_rng(7))).music_share == 0
    assert _analyze(_harmonic(np.geomspace(100, 250, 5 * RATE), 5.0)).music_share == 0


@pytest.mark.parametrize("samples", [0, 1, 319, 2 * RATE])
def test_silent_or_empty_input_gives_zeros_and_nones_not_nans(samples: int) -> None:
    result = analyze_audio(np.zeros(samples, dtype=np.int16), RATE, word_count=5)

    assert result.speech_s == 0
    assert result.pitch_hz_median is None
    assert result.pitch_variation_semitones is None
    assert result.speaking_rate_wpm is None
    assert result.snr_db is None
    assert result.pause_count == 0
    assert result.silence_share == 1
    assert result.loudness_dbfs == -120
    assert result.estimates_note == ESTIMATES_NOTE
    for name, value in result.model_dump().items():
        if isinstance(value, float):
            assert math.isfinite(value), name


@pytest.mark.parametrize("offset", [0.01, 0.03, 0.1])
def test_a_dc_offset_under_the_speech_changes_none_of_its_figures(offset: float) -> None:
    # Cheap microphones and sound cards add a constant to every sample: it is no sound, and
    # it must not fill the pauses or raise the noise floor under the speech.
    rng = np.random.default_rng(8)
    speech = _bursts(4, 0.4, 0.5, rng)
    signal = speech + rng.normal(0, 0.003, speech.size)
    clean, shifted = _analyze(signal), _analyze(signal + offset)

    assert shifted.speech_s == pytest.approx(clean.speech_s, abs=0.05)
    assert shifted.pause_count == clean.pause_count == 3
    assert shifted.loudness_dbfs == pytest.approx(clean.loudness_dbfs, abs=0.5)
    assert shifted.loudness_variation_db == pytest.approx(clean.loudness_variation_db, abs=0.5)
    assert clean.snr_db is not None
    assert shifted.snr_db == pytest.approx(clean.snr_db, abs=1)
    assert shifted.silence_share == pytest.approx(clean.silence_share, abs=0.02)


@pytest.mark.parametrize("value", [300, 5000, -32768, 32767])
def test_a_constant_level_with_nothing_on_it_is_silence(value: int) -> None:
    result = analyze_audio(np.full(5 * RATE, value, dtype=np.int16), RATE, word_count=3)

    assert result.speech_s == 0
    assert result.loudness_dbfs == -120
    assert result.pitch_hz_median is None
    assert result.music_share == 0
    assert result.speaking_rate_wpm is None
    assert result.silence_share == 1
    # Samples pinned at full scale are clipped whatever they carry.
    assert result.clipping_ratio == (1.0 if abs(value) >= 32700 else 0.0)


def test_every_field_is_documented_as_an_estimate_or_a_count() -> None:
    for name, field in AudioAnalysis.model_fields.items():
        assert field.description, name


def test_real_speech_clips_give_plausible_voice_figures() -> None:
    clips = shared_wav_clips()
    assert clips

    for clip in clips:
        pcm = decode_pcm16k((SHARED_AUDIO / clip["file"]).read_bytes())
        words = len(clip["reference"].split())
        result = analyze_audio(pcm, RATE, word_count=words)

        assert result.pitch_hz_median is not None, clip["file"]
        assert 70 <= result.pitch_hz_median <= 300, clip["file"]
        assert result.bandwidth == "wideband", clip["file"]
        assert result.snr_db is not None, clip["file"]
        assert result.snr_db > 10, clip["file"]
        assert 0.5 * result.duration_s < result.speech_s <= result.duration_s, clip["file"]
        assert result.speaking_rate_wpm is not None, clip["file"]
        assert 60 < result.speaking_rate_wpm < 300, clip["file"]
        assert result.music_share == 0, clip["file"]


def test_the_percentile_is_numpys_to_the_last_bit() -> None:
    rng = np.random.default_rng(3)
    for size in (1, 2, 3, 10, 49, 50, 51, 500):
        values = rng.normal(-40, 15, size)
        for q in (0, 10, 50, 90, 100):
            assert percentile(values, q) == float(np.percentile(values, q)), (size, q)


def _sines(*hz: float, seconds: float = 1.0) -> Signal:
    t = np.arange(round(seconds * RATE)) / RATE
    return np.asarray(0.3 * sum(np.sin(2 * np.pi * f * t) for f in hz) / len(hz))


@pytest.mark.parametrize("tone", [(440.0,), (1000.0,), (480.0, 620.0)], ids=str)
def test_a_steady_pure_tone_reports_no_voice_pitch(tone: tuple[float, ...]) -> None:
    # A 440 Hz tone read as 220 Hz, a 1 kHz beep as 333 Hz, a busy tone as 157 Hz.
    result = _analyze(_sines(*tone))

    assert result.pitch_hz_median is None
    assert result.pitch_variation_semitones is None
    assert result.speech_s > 0.9
