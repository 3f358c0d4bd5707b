"""A whole MP3 probed without opening its container: the same figures as FFmpeg's demuxer,
and any doubt left to the container path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from shared.audio import containers, probe
from shared.audio import probing as probing_module
from shared.audio.mp3_header import mp3_declared_duration, mp3_header_count
from shared.audio.probing import _opened_and_measured
from shared.audio.stream_length import counted_mp3
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests import hostile_audio as hostile


def _retagged(data: bytes, tagger: bytes) -> bytes:
    """The file with its LAME tag's encoder name replaced (FFmpeg reads delays only from
    LAME's and its own)."""
    header = max(data.find(b"Info"), data.find(b"Xing"))
    found = max(data.find(name, header, header + 200) for name in (b"LAME", b"Lavf", b"Lavc"))
    assert header > 0
    assert found > 0, "the encoder wrote no LAME tag"
    return data[:found] + tagger + data[found + 4 :]


_FILES: dict[str, Any] = {
    **{
        f"{rate} Hz {channels} channel(s)": lambda rate=rate, channels=channels: factory.encode(
            "mp3", 1.7, rate=rate, channels=channels
        )
        for rate in (8000, 11025, 16000, 22050, 32000, 44100, 48000)
        for channels in (1, 2)
    },
    "no ID3 tag": lambda: factory.mp3_without_id3(2.3, rate=22050),
    "a minute": lambda: factory.encode("mp3", 60.0, rate=22050),
    "delays recorded by another encoder": lambda: _retagged(factory.encode("mp3", 2.0), b"GOGO"),
}


@pytest.mark.parametrize("name", sorted(_FILES))
def test_a_whole_mp3_is_counted_as_the_demuxer_counts_it_and_decodes_the_same(name: str) -> None:
    data = _FILES[name]()

    counted = counted_mp3(data, 600.0)
    declared, seconds, rate, channels, codec = _opened_and_measured(data, "mp3", 600.0)

    assert counted == (seconds, rate, channels), name
    assert codec == "mp3"
    assert declared == mp3_declared_duration(data)


def test_a_whole_mp3_is_probed_without_opening_its_container(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    real_open = containers.open_media

    @contextmanager
    def counting_open(data: bytes, container: str, max_frames: int | None = None) -> Iterator[Any]:
        opened.append(container)
        with real_open(data, container, max_frames) as media:
            yield media

    monkeypatch.setattr(probing_module, "open_media", counting_open)

    info = probe(factory.encode("mp3", 3.0, rate=22050))
    assert opened == []
    assert (info.codec, info.sample_rate, info.channels) == ("mp3", 22050, 1)
    assert info.duration_s == pytest.approx(3.0, abs=0.03)

    with pytest.raises(MediaRejected):
        probe(factory.truncated("mp3", 0.5, seconds=4.0))
    assert opened == ["mp3"], "a cut file is read through its container"


def test_an_mp3_whose_start_does_not_decode_is_left_to_the_container_path() -> None:
    data = factory.encode("mp3", 3.0, rate=22050)
    count = mp3_header_count(data)
    assert count is not None
    start = count.audio_start
    # Every byte of the first 12 KB of audio zeroed: no frame the decoder can find.
    broken = data[:start] + bytes(12288) + data[start + 12288 :]

    assert counted_mp3(data, 600.0) is not None
    assert counted_mp3(broken, 600.0) is None


def test_an_mp3_longer_than_the_limit_is_left_to_the_container_path_which_refuses_it() -> None:
    data = factory.encode("mp3", 5.0, rate=22050)

    assert counted_mp3(data, 3.0) is None
    with pytest.raises(MediaRejected) as refused:
        probe(data, max_duration_s=3.0)
    assert "5.0 s long; we accept at most 3 s" in refused.value.message


def test_a_header_out_of_its_place_or_in_another_layer_is_not_counted() -> None:
    data = bytearray(factory.mp3_without_id3(2.0, rate=22050))
    assert mp3_header_count(bytes(data)) is not None
    tag = max(data.find(b"Info"), data.find(b"Xing"))

    # Moved one byte on, where FFmpeg's demuxer would not look for it.
    moved = data[:tag] + b"\0" + data[tag:-1]
    assert mp3_header_count(bytes(moved)) is None

    layer_two = bytearray(data)
    layer_two[1] = (layer_two[1] & ~0b110) | 0b100
    assert mp3_header_count(bytes(layer_two)) is None


def test_a_header_counting_fewer_frames_than_its_bytes_can_hold_is_not_believed() -> None:
    # 660 s of MP3 (660 kB) whose Xing header says 100 frames, its byte count true: the
    # header's count was taken as the length (7 s) and the file accepted, so the stt stage
    # decoded 11 minutes past the 600 s limit; 25 MB at 8 kbit/s would be 7 hours.
    liar = hostile.mp3_understating(660)

    assert mp3_header_count(liar) is None
    with pytest.raises(MediaRejected) as caught:
        probe(liar)
    assert caught.value.code == "too_long"
