"""An mp3 is measured by its Xing/Info header only when its size matches what the header records."""

from __future__ import annotations

from typing import Any

import pytest

from shared.audio import (
    decode_pcm16k,
    probe,
)
from shared.audio.mp3_header import mp3_complete_as_declared
from tests import audio_factory as factory

# --- mp3 measured by its Xing/Info header ----------------------------------------------------


def test_a_whole_mp3_is_measured_by_its_header_exactly_as_it_decodes() -> None:
    data = factory.encode("mp3", 3.0, rate=22050)

    assert mp3_complete_as_declared(data)
    assert probe(data).duration_s == pytest.approx(len(decode_pcm16k(data)) / 16000, abs=0.01)


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("cut in half", lambda d: d[: len(d) // 2]),
        ("cut by a few frames", lambda d: d[:-4000]),
        ("two files joined", lambda d: d + d),
    ],
)
def test_an_mp3_whose_size_differs_from_its_header_is_read_packet_by_packet(
    name: str, make: Any
) -> None:
    data = make(factory.encode("mp3", 3.0, rate=22050))

    assert not mp3_complete_as_declared(data), name


def test_an_mp3_whose_header_does_not_record_its_size_is_not_trusted() -> None:
    data = bytearray(factory.encode("mp3", 3.0, rate=22050))
    tag = max(data.find(b"Xing"), data.find(b"Info"))
    assert tag > 0
    data[tag + 7] &= ~0x2  # the flag saying the stream's byte count follows

    assert not mp3_complete_as_declared(bytes(data))
