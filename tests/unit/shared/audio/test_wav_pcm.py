"""16-bit PCM WAV read without FFmpeg's decoder (shared/audio/wav_pcm.py): the stt stage's
samples must be exactly what the decoder path gives, for every WAV it takes."""

from __future__ import annotations

import numpy as np
import pytest

from shared.audio.decoding import decode_pcm16k, decode_with_ffmpeg
from shared.audio.wav_pcm import read_pcm16_wav
from tests import audio_factory as factory
from tests import hostile_audio as hostile
from tests.audio_factory import Recipe


@pytest.mark.parametrize(
    ("rate", "channels", "seconds"),
    [(16000, 1, 1.3), (8000, 1, 2.0), (22050, 1, 1.0), (44100, 2, 1.0), (16000, 2, 0.5),
     (48000, 2, 3.1)],  # the last spans several of the resampler's pieces
)  # fmt: skip
def test_a_pcm_wav_gives_the_samples_ffmpeg_gives(rate: int, channels: int, seconds: float) -> None:
    data = factory.encode("wav", seconds, rate=rate, channels=channels)

    assert read_pcm16_wav(data) is not None
    assert np.array_equal(decode_pcm16k(data), decode_with_ffmpeg(data, "wav"))


@pytest.mark.parametrize(
    "data",
    [
        factory.wav_with_unknown_length(1.5),
        factory.truncated("wav", 0.61, seconds=2.0),
        hostile.wav_declaring(4001, seconds=1.0),
    ],
    ids=["sizes-unknown", "cut-mid-frame", "odd-declared-size"],
)
def test_a_wav_whose_sizes_disagree_with_its_bytes_is_read_as_ffmpeg_reads_it(
    data: bytes,
) -> None:
    assert np.array_equal(decode_pcm16k(data), decode_with_ffmpeg(data, "wav"))


@pytest.mark.parametrize(
    ("codec", "sample_format"), [("pcm_mulaw", "s16"), ("pcm_f32le", "flt"), ("pcm_s24le", "s32")]
)
def test_a_wav_that_is_not_16_bit_pcm_is_left_to_ffmpeg(codec: str, sample_format: str) -> None:
    recipe = Recipe("wav", codec, sample_format)
    data = factory.encode_samples(factory.tone(1.0, 8000), "wav", 8000, recipe=recipe)

    assert read_pcm16_wav(data) is None
    assert len(decode_pcm16k(data)) == pytest.approx(16000, abs=16)


def test_the_samples_handed_on_can_be_written_to() -> None:
    pcm = decode_pcm16k(factory.encode("wav", 0.5, rate=16000))

    pcm[:10] = 0  # redaction silences spans of them in place

    assert pcm.flags.writeable
    assert not pcm[:10].any()


def test_chunks_after_the_data_chunk_are_not_read_as_samples() -> None:
    data = factory.encode("wav", 0.5, rate=16000)
    with_list = data + b"LIST" + (8).to_bytes(4, "little") + b"INFOxxxx"
    patched = bytearray(with_list)
    patched[4:8] = (len(with_list) - 8).to_bytes(4, "little")

    assert np.array_equal(decode_pcm16k(bytes(patched)), decode_pcm16k(data))


def test_a_wav_whose_data_size_is_zero_is_read_to_its_end_as_intake_measured_it() -> None:
    # Recorders that stream and never go back to patch the header leave 0 there; FFmpeg
    # (and so intake's probe) reads such a chunk to the file's end. The stt stage read no
    # samples and failed the job as stt.empty_media after intake had taken 1.5 s of audio.
    data = bytearray(factory.encode("wav", 1.5, rate=16000))
    data[4:8] = bytes(4)
    marker = data.index(b"data", 12)
    data[marker + 4 : marker + 8] = bytes(4)

    samples = decode_pcm16k(bytes(data))

    assert len(samples) == 24000
    assert np.array_equal(samples, decode_with_ffmpeg(bytes(data), "wav"))
