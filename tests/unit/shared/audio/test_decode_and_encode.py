"""Decoding uploads for the speech engines, and encoding replies."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from shared.audio import (
    MEDIA_TYPES,
    decode_pcm16k,
    encode_pcm,
    pcm_rms_dbfs,
    probe,
)
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests.audio_factory import ALL_FORMATS, AudioFormat


def dominant_hz(pcm: npt.NDArray[np.int16], rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64)))
    return float(np.fft.rfftfreq(len(pcm), 1 / rate)[int(np.argmax(spectrum))])


# --- decode_pcm16k ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_decode_returns_16khz_mono_int16_for_each_format(fmt: AudioFormat) -> None:
    pcm = decode_pcm16k(factory.encode(fmt, 2.0, rate=22050, channels=2))

    assert pcm.dtype == np.int16
    assert pcm.ndim == 1
    assert len(pcm) / 16000 == pytest.approx(2.0, abs=0.15)
    assert pcm_rms_dbfs(pcm) > -30


def test_decode_upsamples_8khz_phone_audio_to_16khz() -> None:
    pcm = decode_pcm16k(factory.encode("wav", 2.0, rate=8000))

    assert len(pcm) == pytest.approx(32000, abs=32)
    # The tone's 110 Hz fundamental survives; a wrong rate would shift it.
    assert dominant_hz(pcm, 16000) == pytest.approx(110, abs=2)


def test_decode_downmixes_stereo_to_the_same_signal_as_mono() -> None:
    mono = decode_pcm16k(factory.encode("wav", 1.0, channels=1))
    stereo = decode_pcm16k(factory.encode("wav", 1.0, channels=2))

    assert len(stereo) == len(mono)
    assert np.corrcoef(mono, stereo)[0, 1] > 0.99


def test_decode_keeps_16khz_mono_input_unchanged() -> None:
    samples = factory.tone(1.0, 16000)

    decoded = decode_pcm16k(factory.encode_samples(samples, "wav", 16000))

    assert np.array_equal(decoded, samples)


def test_decode_rejects_garbage_behind_magic_bytes_as_undecodable() -> None:
    with pytest.raises(MediaRejected) as caught:
        decode_pcm16k(factory.with_magic(b"fLaC", 4096))

    assert caught.value.code == "undecodable"


def test_decode_rejects_bytes_that_are_not_audio_as_unsupported_format() -> None:
    with pytest.raises(MediaRejected) as caught:
        decode_pcm16k(factory.text_as_wav())

    assert caught.value.code == "unsupported_format"


# --- encode_pcm -------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [16000, 22050])
@pytest.mark.parametrize("fmt", ["mp3", "ogg", "wav"])
def test_encode_roundtrips_through_probe_for_each_output_format(fmt: str, rate: int) -> None:
    data = encode_pcm(factory.tone(2.0, rate), rate, fmt)

    info = probe(data)

    assert info.container == fmt
    assert info.media_type == MEDIA_TYPES[fmt]
    assert info.channels == 1
    assert info.duration_s == pytest.approx(2.0, abs=0.05)


def test_encode_resamples_opus_to_48khz() -> None:
    info = probe(encode_pcm(factory.tone(1.0, 22050), 22050, "ogg"))

    assert (info.codec, info.sample_rate) == ("opus", 48000)


def test_encode_keeps_rates_mp3_supports_and_raises_others() -> None:
    assert probe(encode_pcm(factory.tone(1.0, 22050), 22050, "mp3")).sample_rate == 22050
    assert probe(encode_pcm(factory.tone(1.0, 20000), 20000, "mp3")).sample_rate == 22050


@pytest.mark.parametrize("fmt", ["mp3", "ogg", "wav"])
def test_encode_keeps_the_signal(fmt: str) -> None:
    pcm = decode_pcm16k(encode_pcm(factory.tone(2.0, 16000), 16000, fmt))

    assert dominant_hz(pcm, 16000) == pytest.approx(110, abs=2)
    assert pcm_rms_dbfs(pcm) == pytest.approx(pcm_rms_dbfs(factory.tone(2.0)), abs=1.5)


def test_encode_wav_is_lossless() -> None:
    samples = factory.tone(1.0, 16000)

    assert np.array_equal(decode_pcm16k(encode_pcm(samples, 16000, "wav")), samples)


@pytest.mark.parametrize(
    ("pcm", "rate", "fmt"),
    [
        (factory.tone(0.1), 16000, "flac"),
        (factory.tone(0.1).astype(np.float32), 16000, "wav"),
        (np.zeros((2, 100), dtype=np.int16), 16000, "wav"),
        (np.zeros(0, dtype=np.int16), 16000, "mp3"),
        (factory.tone(0.1), 0, "wav"),
    ],
    ids=["unknown-format", "float-samples", "two-channels", "no-samples", "zero-rate"],
)
def test_encode_refuses_what_it_cannot_encode(
    pcm: npt.NDArray[np.int16], rate: int, fmt: str
) -> None:
    with pytest.raises(ValueError, match=r"."):
        encode_pcm(pcm, rate, fmt)


def test_two_mp3_files_joined_end_to_end_decode_whole() -> None:
    # Joined files (a greeting and a message, or parts a recorder split) keep each part's
    # ID3 tag; the mp3 demuxer hands the second tag to the decoder as a packet, which
    # refused it. probe() counts packets without decoding them and accepted the file, so
    # its job then failed stt.undecodable.
    first, second = factory.encode("mp3", 2.0), factory.encode("mp3", 2.0, seed=1)
    assert second.startswith(b"ID3")

    joined = first + second

    assert len(decode_pcm16k(joined)) / 16000 == pytest.approx(probe(joined).duration_s, abs=0.1)
