"""OpenAI's six speech formats, whole and streamed, and speed without a change of pitch."""

from __future__ import annotations

import io

import av
import numpy as np
import numpy.typing as npt
import pytest

from shared.audio.speech_encode import (
    PCM_RATE,
    SPEECH_FORMATS,
    SpeechEncoder,
    SpeechFormat,
    decode_speech,
    encode_speech,
)
from shared.audio.tempo import change_tempo

RATE = 22_050


def _tone(seconds: float, hz: float = 220.0) -> npt.NDArray[np.int16]:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sin(2 * np.pi * hz * t) * 8000).astype(np.int16)


def _seconds(data: bytes, fmt: SpeechFormat) -> float:
    if fmt == "pcm":
        return len(data) / (2 * PCM_RATE)
    pcm, rate = decode_speech(data)
    return len(pcm) / rate


@pytest.mark.parametrize("fmt", SPEECH_FORMATS)
def test_a_whole_file_in_each_format_decodes_to_the_length_it_was_given(fmt: SpeechFormat) -> None:
    data = encode_speech(_tone(1.5), RATE, fmt)

    assert _seconds(data, fmt) == pytest.approx(1.5, abs=0.08)


@pytest.mark.parametrize("fmt", SPEECH_FORMATS)
def test_a_stream_fed_sentence_by_sentence_is_one_file_of_every_sentence(fmt: SpeechFormat) -> None:
    encoder = SpeechEncoder(fmt, streamed=True)

    pieces = [encoder.feed(_tone(1.0, hz), RATE) for hz in (200.0, 300.0, 400.0)]
    pieces.append(encoder.close())

    assert sum(1 for piece in pieces[:3] if piece) >= 2, "bytes leave before the end"
    data = b"".join(pieces)
    if fmt == "wav":
        # A streamed WAV cannot know its length: it says "until the end" (0xFFFFFFFF).
        assert data[4:8] == b"\xff\xff\xff\xff"
        assert len(data) == pytest.approx(44 + 3 * PCM_RATE * 2, abs=3 * 128)
        return
    assert _seconds(data, fmt) == pytest.approx(3.0, abs=0.12)


def test_pcm_is_raw_24_khz_16_bit_little_endian_as_openai_sends_it() -> None:
    data = encode_speech(_tone(1.0), RATE, "pcm")

    samples = np.frombuffer(data, dtype="<i2")
    assert len(samples) == pytest.approx(PCM_RATE, abs=64)
    assert np.abs(samples).max() > 7000


@pytest.mark.parametrize("streamed", [False, True])
def test_wav_is_24_khz_as_openai_sends_it_whatever_rate_the_voice_speaks(streamed: bool) -> None:
    # OpenAI's wav is its pcm with a header; ours said 22.05 kHz, the offline voice's rate.
    encoder = SpeechEncoder("wav", streamed=streamed)

    data = encoder.feed(_tone(1.0), RATE) + encoder.close()

    with av.open(io.BytesIO(data), "r") as media:
        assert media.streams.audio[0].codec_context.sample_rate == PCM_RATE
    samples = np.frombuffer(data[44:], dtype="<i2")
    assert len(samples) == pytest.approx(PCM_RATE, abs=64)
    assert np.abs(samples).max() > 7000


def test_one_stream_refuses_a_second_sample_rate() -> None:
    encoder = SpeechEncoder("mp3", streamed=True)
    encoder.feed(_tone(0.5), RATE)

    with pytest.raises(ValueError, match="one rate per stream"):
        encoder.feed(_tone(0.5), 16_000)


@pytest.mark.parametrize("speed", [0.25, 0.5, 1.5, 4.0])
def test_speed_changes_the_length_by_its_factor_and_keeps_the_pitch(speed: float) -> None:
    tone = _tone(2.0, hz=440.0)

    faster = change_tempo(tone, RATE, speed)

    assert len(faster) / len(tone) == pytest.approx(1 / speed, rel=0.03)
    spectrum = np.abs(np.fft.rfft(faster.astype(float)))
    peak_hz = np.argmax(spectrum) * RATE / len(faster)
    assert peak_hz == pytest.approx(440.0, abs=10.0)


def test_a_speed_outside_openais_range_is_refused() -> None:
    with pytest.raises(ValueError, match=r"between 0\.25 and 4\.0"):
        change_tempo(_tone(0.5), RATE, 5.0)


def test_an_ogg_opus_answer_is_ogg_as_players_expect() -> None:
    data = encode_speech(_tone(0.5), RATE, "opus")

    with av.open(io.BytesIO(data), "r") as media:
        assert media.format.name == "ogg"
        assert media.streams.audio[0].codec_context.name == "opus"


@pytest.mark.parametrize("fmt", SPEECH_FORMATS)
@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "whole"])
def test_no_samples_make_an_empty_file_of_the_format_not_an_error(
    fmt: SpeechFormat, streamed: bool
) -> None:
    # Before, av raised MemoryError for a frame of no samples (every format at 22.05 kHz).
    encoder = SpeechEncoder(fmt, streamed=streamed)

    data = encoder.feed(np.zeros(0, dtype=np.int16), RATE) + encoder.close()

    if fmt in ("wav", "flac"):
        assert decode_speech(data)[0].size == 0
    elif fmt == "opus":
        # Ogg's two header pages (RFC 7845) and no audio: FFmpeg, finding no packet to
        # probe, calls it the end of the file, as it is.
        assert data.startswith(b"OggS")
        assert b"OpusHead" in data
        assert b"OpusTags" in data
    elif fmt == "mp3":
        assert data.startswith(b"ID3")  # its tag, and no frame
    else:
        assert data == b""  # raw samples, or ADTS frames: none


@pytest.mark.parametrize("fmt", SPEECH_FORMATS)
def test_a_sentence_of_no_samples_adds_nothing_to_a_stream(fmt: SpeechFormat) -> None:
    encoder = SpeechEncoder(fmt, streamed=True)

    pieces = [encoder.feed(_tone(1.0), RATE), encoder.feed(np.zeros(0, dtype=np.int16), RATE)]
    pieces += [encoder.feed(_tone(1.0), RATE), encoder.close()]

    assert pieces[1] == b""
    assert _seconds(b"".join(pieces), fmt) == pytest.approx(2.0, abs=0.12)
