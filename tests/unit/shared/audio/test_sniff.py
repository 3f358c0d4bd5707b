"""Recognising an upload's container from its bytes."""

from __future__ import annotations

import pytest

from shared.audio import (
    sniff_container,
)
from tests import audio_factory as factory
from tests.audio_factory import ALL_FORMATS, AudioFormat
from tests.bare_frames import MPEG_FRAME


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_sniff_recognises_each_container_from_its_first_bytes(fmt: AudioFormat) -> None:
    assert sniff_container(factory.encode(fmt, 0.5)[:64]) == fmt


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"RIFF\x00\x00\x00\x00AVI ",
        b"\xff\xeb\x90\x00",  # MPEG version bits 01 are reserved
        b"\xff\xf9\xf0\x00",  # MPEG layer III frame with the forbidden bitrate index 15
        b"\xff\xf1\x3c\x80\x00\x00\x00",  # ADTS with an undefined sampling-rate index
        MPEG_FRAME + bytes(500),  # one MPEG frame header, no second one
        b"%PDF-1.7",
    ],
    ids=[
        "empty",
        "avi",
        "reserved-mpeg-version",
        "bad-bitrate",
        "bad-adts-rate",
        "lone-mpeg-header",
        "pdf",
    ],
)
def test_sniff_refuses_lookalike_headers(head: bytes) -> None:
    assert sniff_container(head) is None


@pytest.mark.parametrize(
    ("brand", "container"),
    [(b"3gp4", "3gp"), (b"3gp6", "3gp"), (b"3g2a", "3gp"), (b"M4A ", "m4a"), (b"isom", "m4a")],
)
def test_sniff_tells_a_3gp_from_an_m4a_by_its_major_brand(brand: bytes, container: str) -> None:
    assert sniff_container(b"\x00\x00\x00\x18ftyp" + brand + bytes(12)) == container


@pytest.mark.parametrize("magic", [b"#!AMR\n", b"#!AMR-WB\n"])
def test_sniff_recognises_both_amr_bands_by_their_magic(magic: bytes) -> None:
    assert sniff_container(magic + b"\x3c" + bytes(31)) == "amr"
    assert sniff_container(magic.rstrip(b"\n") + b" is a comment") is None


def test_sniff_never_trusts_text_or_random_bytes() -> None:
    assert sniff_container(factory.text_as_wav()) is None
    assert sniff_container(factory.random_bytes(4096, seed=1)) is None


def test_sniff_looks_past_an_id3_tag_to_find_aac() -> None:
    tag = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10

    assert sniff_container(tag + factory.encode("aac", 0.5)) == "aac"
    assert sniff_container(tag + factory.encode("flac", 0.5)) == "flac"
    assert sniff_container(tag + MPEG_FRAME) == "mp3"


@pytest.mark.parametrize("head", [MPEG_FRAME + bytes(413) + MPEG_FRAME, MPEG_FRAME + bytes(10)])
def test_sniff_takes_a_bare_mpeg_frame_when_the_next_one_chains_or_lies_beyond_head(
    head: bytes,
) -> None:
    assert sniff_container(head) == "mp3"
