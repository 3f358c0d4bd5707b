"""Upload validation: what the audio probe refuses (empty, not audio, wrong codec, too short
or long, cut) and the code and message it gives."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from shared.audio import (
    containers,
    decode_pcm16k,
    probe,
)
from shared.audio import probing as audio_module
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests import hostile_audio as hostile
from tests.audio_factory import ALL_FORMATS, AudioFormat, Recipe
from tests.bare_frames import GARBAGE_BEHIND_MAGIC

ACCEPTED_HINT = "Send mp3, wav, ogg/opus, webm, flac, m4a/aac or amr/3gp."


def rejection(data: bytes, **limits: float) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        probe(data, **limits)
    return caught.value


# --- probe: rejections ------------------------------------------------------------------


def test_probe_rejects_empty_file_with_400() -> None:
    error = rejection(b"")

    assert (error.code, error.status_code) == ("empty_file", 400)
    assert "0 bytes" in error.message


def test_probe_rejects_text_renamed_to_wav_as_unsupported_format() -> None:
    error = rejection(factory.text_as_wav())

    assert (error.code, error.status_code) == ("unsupported_format", 415)
    assert "looks like text" in error.message
    assert error.message.endswith(ACCEPTED_HINT)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_probe_rejects_random_bytes_as_unsupported_format(seed: int) -> None:
    error = rejection(factory.random_bytes(8192, seed))

    assert (error.code, error.status_code) == ("unsupported_format", 415)
    assert error.message.endswith(ACCEPTED_HINT)


def test_probe_names_a_recognisable_non_audio_upload() -> None:
    error = rejection(b"\x89PNG\r\n\x1a\n" + factory.random_bytes(256))

    assert "a PNG image" in error.message


@pytest.mark.parametrize(
    ("muxer", "codec", "options", "named"),
    [
        ("caf", "pcm_s16le", {}, "Core Audio (CAF)"),
        ("aiff", "pcm_s16be", {}, "AIFF"),
        ("w64", "pcm_s16le", {}, "Wave64"),
        ("wav", "pcm_s16le", {"rf64": "always"}, "RF64"),
        ("au", "pcm_mulaw", {}, "Sun/NeXT AU"),
    ],
)
def test_probe_names_an_audio_format_it_does_not_take(
    muxer: str, codec: str, options: dict[str, str], named: str
) -> None:
    # An iPhone's .caf or a Mac's .aiff was told its first bytes "match no supported format",
    # as if it were not a recording at all: the sender could not tell what to convert.
    recipe = Recipe(muxer, codec, "s16", options=tuple(options.items()))
    data = factory.encode_samples(factory.tone(1.0, 8000), "wav", 8000, recipe=recipe)

    error = rejection(data)

    assert (error.code, error.status_code) == ("unsupported_format", 415)
    assert named in error.message
    assert "a format we do not take" in error.message
    assert error.message.endswith(ACCEPTED_HINT)


def test_probe_rejects_video_without_audio_stream_with_no_audio_stream() -> None:
    error = rejection(factory.video_without_audio())

    assert (error.code, error.status_code) == ("no_audio_stream", 422)
    assert "no audio track" in error.message
    assert "video" in error.message


def test_probe_rejects_a_codec_its_container_does_not_allow_as_unsupported_codec() -> None:
    # Matroska shares webm's magic bytes, but webm audio is opus or vorbis only.
    error = rejection(factory.matroska_with_codec("mp2"))

    assert (error.code, error.status_code) == ("unsupported_codec", 415)
    assert "mp2" in error.message
    assert "opus, vorbis" in error.message


@pytest.mark.parametrize("magic", GARBAGE_BEHIND_MAGIC.values(), ids=GARBAGE_BEHIND_MAGIC.keys())
def test_probe_rejects_garbage_behind_real_magic_bytes_as_undecodable(magic: bytes) -> None:
    error = rejection(factory.with_magic(magic, 8192))

    assert (error.code, error.status_code) == ("undecodable", 422)
    assert "could not be decoded" in error.message


def test_probe_rejects_audio_shorter_than_the_minimum_as_too_short() -> None:
    error = rejection(factory.encode("wav", 0.1))

    assert (error.code, error.status_code) == ("too_short", 422)
    assert "0.10 s" in error.message
    assert "0.3 s" in error.message


def test_probe_rejects_audio_longer_than_the_maximum_as_too_long() -> None:
    error = rejection(factory.encode("mp3", 5.0), max_duration_s=3.0)

    assert (error.code, error.status_code) == ("too_long", 422)
    assert "3 s" in error.message


def test_probe_stops_reading_early_for_overlong_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    real_open = containers.open_media

    class Counting:
        def __init__(self, media: Any) -> None:
            self.media = media

        def __getattr__(self, name: str) -> Any:
            return getattr(self.media, name)

        def demux(self, stream: Any) -> Iterator[Any]:
            for packet in self.media.demux(stream):
                read.append(packet.size)
                yield packet

    @contextmanager
    def counting_open(data: bytes, container: str, max_frames: int | None = None) -> Iterator[Any]:
        with real_open(data, container, max_frames) as media:
            yield Counting(media)

    monkeypatch.setattr(audio_module, "open_media", counting_open)
    data = factory.encode("mp3", 60.0)

    error = rejection(data, max_duration_s=3.0)

    assert error.code == "too_long"
    assert "60.0 s long (1 min)" in error.message
    # A packet past the limit, not the remaining 57 s.
    assert 0 < sum(read) < len(data) * 3.5 / 60


@pytest.mark.parametrize("fmt", ["wav", "mp3", "webm", "flac"])
def test_probe_rejects_a_cut_file_whose_header_declares_more_as_truncated(
    fmt: AudioFormat,
) -> None:
    error = rejection(factory.truncated(fmt, 0.5, seconds=4.0))

    assert (error.code, error.status_code) == ("truncated", 422)
    assert re.search(r"announces (3\.9|4\.0) s", error.message)


def test_probe_calls_a_wav_cut_below_the_minimum_truncated_since_the_cut_is_the_cause() -> None:
    # Before, too_short: its sender was told to record a longer message, not to upload the
    # whole file again.
    error = rejection(factory.truncated("wav", 0.05, seconds=4.0))

    assert error.code == "truncated"
    assert "announces 4.0 s but only 0.2 s" in error.message


def test_probe_rejects_an_m4a_cut_before_its_index_as_undecodable() -> None:
    # The muxer writes the index (moov) last, so a cut file has none.
    error = rejection(factory.truncated("m4a", 0.5, seconds=4.0))

    assert error.code == "undecodable"
    assert "damaged or incomplete" in error.message


@pytest.mark.parametrize("fmt", ["ogg", "aac", "amr"])
def test_probe_accepts_a_cut_file_of_a_format_that_records_no_total_length(
    fmt: AudioFormat,
) -> None:
    """Ogg, ADTS and AMR carry no total length (FFmpeg's figure is derived from what is
    present), so a cut is indistinguishable from a shorter recording; ADTS's final half
    frame, which the decoder refuses, is dropped like the tail of a cut WAV."""
    info = probe(factory.truncated(fmt, 0.5, seconds=4.0))

    assert 1.5 < info.duration_s < 2.5


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_probe_and_decode_raise_only_media_rejected_on_corrupted_bytes(
    fmt: AudioFormat, seed: int
) -> None:
    data = factory.corrupted(factory.encode(fmt, 2.0), seed=seed)

    for check in (probe, decode_pcm16k):
        with contextlib.suppress(MediaRejected):
            check(data)


def test_probe_refuses_a_sample_rate_past_what_recorders_use_naming_it_and_the_limit() -> None:
    # 590 s of 7.1 at FLAC's highest rate in ~200 kB: it probes in milliseconds but cost
    # the stt stage ~19 s of CPU to decode and resample.
    error = rejection(hostile.flac_silence(590, rate=655350, channels=8))

    assert (error.code, error.status_code) == ("sample_rate_too_high", 422)
    assert "655,350 Hz" in error.message
    assert "192,000 Hz" in error.message


def test_probe_takes_its_sample_rate_limit_from_the_caller() -> None:
    error = rejection(factory.wav_with_channels(1, rate=48000), max_sample_rate_hz=44100)

    assert error.code == "sample_rate_too_high"
    assert "48,000 Hz" in error.message
    assert "44,100 Hz" in error.message
