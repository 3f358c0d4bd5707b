"""Loudness in dBFS, the table of media types and the immutability of AudioInfo."""

from __future__ import annotations

import numpy as np
import pytest

from shared.audio import (
    MEDIA_TYPES,
    AudioInfo,
    pcm_rms_dbfs,
)
from tests import audio_factory as factory
from tests.audio_factory import ALL_FORMATS


def test_rms_dbfs_of_silence_and_of_nothing_is_minus_120() -> None:
    assert pcm_rms_dbfs(factory.silence(1.0)) == -120.0
    assert pcm_rms_dbfs(np.zeros(0, dtype=np.int16)) == -120.0
    assert pcm_rms_dbfs(np.ones(16000, dtype=np.int16)) == pytest.approx(-90.3, abs=0.1)


def test_rms_dbfs_of_a_full_scale_square_wave_is_zero() -> None:
    square = np.tile(np.array([-32768, 32767], dtype=np.int16), 800)

    assert pcm_rms_dbfs(square) == pytest.approx(0.0, abs=0.001)


def test_rms_dbfs_of_a_half_scale_sine_is_about_minus_9() -> None:
    t = np.arange(16000) / 16000
    sine = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)

    assert pcm_rms_dbfs(sine) == pytest.approx(-9.03, abs=0.05)


def test_media_types_cover_every_input_and_output_format() -> None:
    assert set(MEDIA_TYPES) >= {*ALL_FORMATS, "mp3", "ogg", "wav"}
    assert all(value.startswith("audio/") for value in MEDIA_TYPES.values())


def test_audio_info_is_immutable() -> None:
    info = AudioInfo("wav", "pcm_s16le", "audio/wav", "wav", 1.0, 16000, 1)

    with pytest.raises(AttributeError):
        info.duration_s = 2.0  # type: ignore[misc]
