"""Refusals an API caller reads say what is wrong and what to do in plain words; FFmpeg's own
wording ("Invalid data found when processing input") comes only last, in parentheses."""

from __future__ import annotations

import pytest

from shared.audio import decode_pcm16k, probe
from shared.errors import MediaRejected
from tests import audio_factory as factory

FFMPEG_WORDS = ("Invalid data", "processing input", "Errno", "error code")


def plain_part(message: str) -> str:
    """The message before a closing parenthetical, which must end it."""
    if not message.endswith(")"):
        return message
    return message[: message.rindex("(")]


@pytest.mark.parametrize(
    "data",
    [
        factory.with_magic(b"RIFF\x00\x00\x00\x00WAVE"),
        factory.with_magic(b"fLaC", seed=7),
        factory.with_magic(b"OggS", seed=6),
    ],
    ids=["wav", "flac", "ogg"],
)
def test_an_undecodable_upload_is_explained_before_any_decoder_wording(data: bytes) -> None:
    with pytest.raises(MediaRejected) as caught:
        probe(data)

    message = caught.value.message
    assert caught.value.code == "undecodable"
    assert not [words for words in FFMPEG_WORDS if words in plain_part(message)], message
    assert "upload the new copy" in plain_part(message)


def test_a_recording_damaged_past_its_start_is_explained_before_any_decoder_wording() -> None:
    data = bytearray(factory.encode("amr", 8.0))
    middle = len(data) // 2 - 1000
    data[middle : middle + 2000] = bytes(range(256)) * 7 + bytes(208)

    with pytest.raises(MediaRejected) as caught:
        decode_pcm16k(bytes(data))

    message = caught.value.message
    assert not [words for words in FFMPEG_WORDS if words in plain_part(message)], message
    assert "could not be decoded" in plain_part(message)


@pytest.mark.parametrize("size", [b"\x00\x00\x00\x00", b"\xff\xff\xff\xff"], ids=["0", "unknown"])
def test_a_wav_with_a_header_and_no_samples_is_not_told_to_record_a_longer_message(
    size: bytes,
) -> None:
    # A recorder that crashed before its first samples (or a file copied while still being
    # written) leaves the header alone. Its sender was told "Record a longer message", when
    # the message they recorded was simply not in the file.
    data = factory.encode("wav", 0.1)
    marker = data.index(b"data", 12)
    header = data[:4] + size + data[8:marker] + b"data" + size

    with pytest.raises(MediaRejected) as caught:
        probe(header)

    assert (caught.value.code, caught.value.status_code) == ("too_short", 422)
    assert "no audio at all" in caught.value.message
    assert "longer message" not in caught.value.message


def test_an_mp3_that_is_only_its_id3_tag_is_told_it_holds_no_audio() -> None:
    # A download or export that stopped after the tag: it was told it "could not be decoded"
    # with FFmpeg's "Invalid data found", which says nothing of what is missing.
    from tests import hostile_audio as hostile

    with pytest.raises(MediaRejected) as caught:
        probe(hostile.id3_tag_only())

    assert (caught.value.code, caught.value.status_code) == ("undecodable", 422)
    assert "only its ID3 tag" in caught.value.message
    assert not [words for words in FFMPEG_WORDS if words in caught.value.message]
