"""Measuring a stream from its packets: what is decoded and what is only counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import av
import pytest
from av.audio.stream import AudioStream
from av.container import InputContainer

from shared.audio.containers import audio_stream, open_media
from shared.audio.stream_length import measure
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests import hostile_audio as hostile


class _CountingStream:
    """A stream whose decode calls are counted, for measure() to read through."""

    def __init__(self, stream: AudioStream) -> None:
        self.real = stream
        self.decoded_packets = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def decode(self, packet: av.Packet) -> list[av.AudioFrame]:
        self.decoded_packets += 1
        return self.real.decode(packet)


class _Media:
    def __init__(self, media: InputContainer, stream: _CountingStream) -> None:
        self.media, self.stream = media, stream

    def demux(self, _stream: object) -> Iterator[av.Packet]:
        return self.media.demux(self.stream.real)


def _measured(data: bytes, max_duration_s: float = 600.0) -> tuple[float, int]:
    with open_media(data, "flac") as media:
        counting = _CountingStream(audio_stream(media, "flac"))
        seconds, _, _ = measure(_Media(media, counting), counting, max_duration_s)  # type: ignore[arg-type]
    return seconds, counting.decoded_packets


def test_a_flac_stream_is_counted_from_its_frame_headers_after_its_first_quarter_second() -> None:
    # 65,535-sample frames of silence at 384 kHz: 0.17 s each, 600 frames for 100 s. The
    # flac demuxer gives its packets no duration, and decoding all of them held the API
    # process 0.4 s for a 40 kB file (1.4 s at 655 kHz in 7.1).
    seconds, decoded = _measured(hostile.flac_silence(100, rate=384000))

    assert seconds == pytest.approx(100, abs=0.2)
    assert decoded <= 3


def test_a_flac_bomb_is_too_long_without_decoding_its_frames() -> None:
    # An hour of 7.1 at 655 kHz in 188 kB: 36,000 frames, refused at the 600 s limit.
    data = hostile.flac_silence(3600, rate=655350, channels=8)
    with open_media(data, "flac") as media:
        counting = _CountingStream(audio_stream(media, "flac"))
        with pytest.raises(MediaRejected, match="at most 600 s"):
            measure(_Media(media, counting), counting, 600.0)  # type: ignore[arg-type]

    assert counting.decoded_packets <= 3


@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
def test_an_encoded_flac_measures_as_long_as_it_decodes(rate: int) -> None:
    data = factory.encode_samples(factory.tone(7.3, rate), "flac", rate)
    seconds, _ = _measured(data)

    assert seconds == pytest.approx(7.3, abs=1e-9)
