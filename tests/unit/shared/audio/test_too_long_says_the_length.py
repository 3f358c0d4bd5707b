"""A recording refused as too long is told how long it is, the limit, and the setting that
raises the limit; a file that records no length of its own, or whose header promises more than
its bytes hold, is told how much was read."""

from __future__ import annotations

import re

import pytest

from shared.audio import probe
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests import hostile_audio as hostile
from tests.audio_factory import AudioFormat


def _refusal(data: bytes, max_duration_s: float) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        probe(data, max_duration_s=max_duration_s)
    assert caught.value.code == "too_long"
    return caught.value


@pytest.mark.parametrize("fmt", ["wav", "mp3", "ogg", "webm", "flac", "m4a"])
def test_a_too_long_recording_is_told_its_length_and_the_limit(fmt: AudioFormat) -> None:
    message = _refusal(factory.encode(fmt, 9.0), 3.0).message

    assert "9.0 s long" in message
    assert "at most 3 s" in message
    assert "VOICEPIPE_API__MAX_DURATION_S" in message


def test_an_hour_long_flac_bomb_is_told_it_is_an_hour_without_being_read() -> None:
    message = _refusal(hostile.flac_silence(3600, rate=655350, channels=8), 600.0).message

    assert "3,600.0 s long (60 min)" in message
    assert "at most 600 s" in message


@pytest.mark.parametrize("fmt", ["aac", "amr"])
def test_a_file_without_a_recorded_length_is_told_what_was_read(fmt: AudioFormat) -> None:
    message = _refusal(factory.encode(fmt, 9.0), 3.0).message

    assert "longer than 3.0 s" in message
    assert "at most 3 s" in message
    assert "VOICEPIPE_API__MAX_DURATION_S" in message


@pytest.mark.parametrize(
    "data",
    [hostile.wav_declaring(10**9, seconds=5.0), hostile.mp3_declaring(100_000, seconds=5.0)],
    ids=["wav", "mp3"],
)
def test_a_header_promising_more_than_the_file_holds_is_not_told_as_its_length(
    data: bytes,
) -> None:
    message = _refusal(data, 3.0).message

    assert "longer than 3.0 s" in message
    assert re.search(r"\d s long", message) is None
