"""The sound gate before any engine is paid (shared.audio.activity): silence and hang-ups
stop there, and nothing a person said does."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import decode_pcm16k
from shared.audio.activity import active_seconds
from tests.audio_factory import SHARED_AUDIO, shared_wav_clips

RATE = 16000
Signal = npt.NDArray[np.float64]


def _pcm(signal: Signal) -> npt.NDArray[np.int16]:
    return np.asarray(np.clip(np.round(signal * 32767), -32768, 32767), dtype=np.int16)


def _rms_db(signal: Signal) -> float:
    return float(10 * np.log10(np.mean(signal**2)))


def _syllables(count: int, rng: np.random.Generator) -> Signal:
    """Half-second voiced bursts (a falling buzz, eight harmonics) between 0.4 s gaps."""
    parts = [np.zeros(round(0.4 * RATE))]
    for _ in range(count):
        n = round(0.5 * RATE)
        phase = 2 * np.pi * np.cumsum(np.linspace(rng.uniform(120, 180), 110, n)) / RATE
        parts += [sum(np.sin(k * phase) / k for k in range(1, 9)), np.zeros(round(0.4 * RATE))]
    return np.concatenate(parts)


def _at_level(signal: Signal, dbfs: float) -> Signal:
    return signal * 10 ** ((dbfs - _rms_db(signal[signal != 0])) / 20)


@pytest.mark.parametrize("value", [300, 3000, -32768])
def test_a_constant_level_alone_is_no_sound(value: int) -> None:
    # A muted line or a dead microphone on a biased input: every sample the same number.
    assert active_seconds(np.full(5 * RATE, value, dtype=np.int16)) == 0


@pytest.mark.parametrize("offset", [0.01, 0.05])
def test_speech_on_a_dc_offset_counts_as_much_as_without_it(offset: float) -> None:
    rng = np.random.default_rng(1)
    speech = _at_level(_syllables(4, rng), -30)
    quiet_room = rng.normal(0, 10 ** (-75 / 20), speech.size)

    clean = active_seconds(_pcm(speech + quiet_room))

    assert clean == pytest.approx(2.0, abs=0.15)
    assert active_seconds(_pcm(speech + quiet_room + offset)) == pytest.approx(clean, abs=0.03)


@pytest.mark.parametrize("dbfs", [-50.0, -55.0])
def test_quiet_speech_over_a_quieter_room_is_sound(dbfs: float) -> None:
    # A caller far from the phone: every word clear of the room, but under -45 dBFS.
    rng = np.random.default_rng(2)
    speech = _at_level(_syllables(4, rng), dbfs)

    heard = active_seconds(_pcm(speech + rng.normal(0, 10 ** (-80 / 20), speech.size)))

    assert heard >= 1.0


def test_real_speech_turned_down_to_50_dbfs_is_still_sound() -> None:
    clips = shared_wav_clips()
    for clip in clips:
        pcm = decode_pcm16k((SHARED_AUDIO / clip["file"]).read_bytes()).astype(np.float64)
        loud = active_seconds(_pcm(pcm / 32768))
        quiet = pcm / 32768 * 10 ** ((-50 - _rms_db(pcm / 32768)) / 20)

        assert active_seconds(_pcm(quiet)) >= min(0.5, loud), clip["file"]


@pytest.mark.parametrize("dbfs", [-52.0, -58.0, -70.0])
def test_steady_line_hiss_quieter_than_speech_is_no_sound(dbfs: float) -> None:
    rng = np.random.default_rng(3)

    assert active_seconds(_pcm(rng.normal(0, 10 ** (dbfs / 20), 10 * RATE))) == 0


def test_faint_noise_between_digital_silence_is_no_sound() -> None:
    # Comfort noise a VoIP line switches on and off under -60 dBFS: a hang-up, not a voice.
    rng = np.random.default_rng(4)
    bursts = rng.normal(0, 10 ** (-66 / 20), 10 * RATE) * (np.arange(10 * RATE) % RATE < RATE // 2)

    assert active_seconds(_pcm(bursts)) == 0


def test_silence_and_too_short_input_are_no_sound() -> None:
    assert active_seconds(np.zeros(0, dtype=np.int16)) == 0
    assert active_seconds(np.zeros(100, dtype=np.int16)) == 0
    assert active_seconds(np.zeros(3 * RATE, dtype=np.int16)) == 0
