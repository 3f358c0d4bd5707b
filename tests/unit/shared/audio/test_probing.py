"""Upload validation: what probe accepts, what it refuses and why; loudness and media types."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from shared.audio import (
    MEDIA_TYPES,
    AudioInfo,
    containers,
    decode_pcm16k,
    pcm_rms_dbfs,
    probe,
)
from shared.audio import probing as audio_module
from shared.audio.mp3_header import mp3_complete_as_declared
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests.audio_factory import ALL_FORMATS, SHARED_AUDIO, AudioFormat, shared_wav_clips
from tests.bare_frames import GARBAGE_BEHIND_MAGIC

ACCEPTED_HINT = "Send mp3, wav, ogg/opus, webm, flac, m4a/aac or amr/3gp."

EXPECTED: dict[AudioFormat, tuple[str, str]] = {
    "wav": ("pcm_s16le", "audio/wav"),
    "mp3": ("mp3", "audio/mpeg"),
    "ogg": ("opus", "audio/ogg"),
    "webm": ("opus", "audio/webm"),
    "flac": ("flac", "audio/flac"),
    "m4a": ("aac", "audio/mp4"),
    "aac": ("aac", "audio/aac"),
    "amr": ("amr_nb", "audio/amr"),
    "3gp": ("amr_nb", "audio/3gpp"),
}
# Formats whose file keeps the rate it was recorded at (opus always decodes at 48 kHz).
NATIVE_RATE_FORMATS: tuple[AudioFormat, ...] = ("wav", "mp3", "flac", "m4a", "aac")


def rejection(data: bytes, **limits: float) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        probe(data, **limits)
    return caught.value


# --- probe: accepted input ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_probe_accepts_each_supported_container(fmt: AudioFormat) -> None:
    info = probe(factory.encode(fmt, 2.0))

    codec, media_type = EXPECTED[fmt]
    assert info.container == fmt
    assert info.extension == fmt
    assert info.codec == codec
    assert info.media_type == media_type == MEDIA_TYPES[fmt]
    assert info.channels == 1
    # AAC keeps its encoder priming (up to ~0.1 s); the others trim it.
    assert info.duration_s == pytest.approx(2.0, abs=0.15)


@pytest.mark.parametrize("fmt", NATIVE_RATE_FORMATS)
def test_probe_reports_the_recorded_rate_and_channels(fmt: AudioFormat) -> None:
    info = probe(factory.encode(fmt, 1.0, rate=44100, channels=2))

    assert (info.sample_rate, info.channels) == (44100, 2)


@pytest.mark.parametrize("fmt", ["ogg", "webm"])
def test_probe_reports_opus_at_its_decoding_rate_of_48khz(fmt: AudioFormat) -> None:
    assert probe(factory.encode(fmt, 1.0, rate=16000)).sample_rate == 48000


def test_probe_accepts_wide_band_amr_at_16khz_with_its_own_media_type() -> None:
    # The wheels' FFmpeg cannot encode AMR-WB, so this stream is 100 "no data" frames (frame
    # type 15, 20 ms each: what a phone sends in silence); it still goes through the
    # demuxer and the wide-band decoder.
    data = b"#!AMR-WB\n" + b"\x7c" * 100

    info = probe(data)

    assert (info.container, info.codec, info.extension) == ("amr", "amr_wb", "amr")
    assert info.media_type == "audio/amr-wb"
    assert (info.sample_rate, info.duration_s) == (16000, pytest.approx(2.0))
    assert len(decode_pcm16k(data)) == 32000


def test_probe_accepts_up_to_eight_channels_which_the_stt_stage_can_mix_down() -> None:
    data = factory.wav_with_channels(8)

    assert probe(data).channels == 8
    assert len(decode_pcm16k(data)) == 16000


@pytest.mark.parametrize("channels", [9, 64])
def test_probe_refuses_more_channels_than_transcription_can_mix_down(channels: int) -> None:
    with pytest.raises(MediaRejected) as refused:
        probe(factory.wav_with_channels(channels))

    assert refused.value.code == "too_many_channels"
    assert refused.value.status_code == 422
    assert f"has {channels} channels" in refused.value.message
    assert "Mix it down to mono or stereo" in refused.value.message


def test_probe_accepts_an_mp3_that_starts_without_an_id3_tag() -> None:
    data = factory.mp3_without_id3(1.0)
    assert data[:3] != b"ID3"

    info = probe(data)

    assert (info.container, info.codec) == ("mp3", "mp3")
    assert info.duration_s == pytest.approx(1.0, abs=0.05)


def test_probe_and_decode_follow_an_mp3_whose_rate_changes_midway() -> None:
    # Two files joined end to end, as `cat a.mp3 b.mp3` makes them.
    data = factory.mp3_without_id3(1.0, rate=16000) + factory.mp3_without_id3(1.0, rate=22050)

    info = probe(data)
    pcm = decode_pcm16k(data)

    assert info.sample_rate == 16000
    assert info.duration_s == pytest.approx(2.0, abs=0.15)
    # The probe counts the second file by its packets' durations, which include the encoder
    # padding the decoder trims: within one mp3 frame of what decodes.
    assert len(pcm) / 16000 == pytest.approx(info.duration_s, abs=1152 / 22050)


def test_probe_measures_decoded_duration_exactly_for_pcm() -> None:
    assert probe(factory.encode("wav", 1.5, rate=8000)).duration_s == 1.5


def test_probe_accepts_a_wav_whose_header_does_not_know_its_length() -> None:
    info = probe(factory.wav_with_unknown_length(2.0))

    assert info.duration_s == pytest.approx(2.0)


def test_probe_accepts_audio_slightly_shorter_than_its_header_declares() -> None:
    info = probe(factory.truncated("wav", 0.95, seconds=4.0))

    assert info.duration_s == pytest.approx(3.8, abs=0.01)


def test_probe_accepts_durations_exactly_at_the_limits() -> None:
    data = factory.encode("wav", 1.0)

    assert probe(data, min_duration_s=1.0, max_duration_s=1.0).duration_s == 1.0


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
    def counting_open(data: bytes, container: str) -> Iterator[Any]:
        with real_open(data, container) as media:
            yield Counting(media)

    monkeypatch.setattr(audio_module, "open_media", counting_open)
    data = factory.encode("mp3", 60.0)

    error = rejection(data, max_duration_s=3.0)

    assert error.code == "too_long"
    assert "stopped reading at 3.0 s" in error.message
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


# --- loudness and media types -----------------------------------------------------------


def test_rms_dbfs_of_silence_and_of_nothing_is_minus_120() -> None:
    assert pcm_rms_dbfs(factory.silence(1.0)) == -120.0
    assert pcm_rms_dbfs(np.zeros(0, dtype=np.int16)) == -120.0
    assert pcm_rms_dbfs(np.ones(16000, dtype=np.int16)) == pytest.approx(-90.3, abs=0.1)


def test_rms_dbfs_of_a_full_scale_square_wave_is_zero() -> None:
    square = np.tile(np.array([-32768, 32767], dtype=np.int16), 800)

    assert pcm_rms_dbfs(square) == pytest.approx(0.0, abs=0.001)


def test_rms_dbfs_of_a_half_scale_sine_is_about_minus_9() -> None:
    t = np.arange(16000) / 16000
    sine = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)

    assert pcm_rms_dbfs(sine) == pytest.approx(-9.03, abs=0.05)


def test_media_types_cover_every_input_and_output_format() -> None:
    assert set(MEDIA_TYPES) >= {*ALL_FORMATS, "mp3", "ogg", "wav"}
    assert all(value.startswith("audio/") for value in MEDIA_TYPES.values())


def test_audio_info_is_immutable() -> None:
    info = AudioInfo("wav", "pcm_s16le", "audio/wav", "wav", 1.0, 16000, 1)

    with pytest.raises(AttributeError):
        info.duration_s = 2.0  # type: ignore[misc]


# --- real speech ------------------------------------------------------------------------


def test_probe_and_decode_agree_with_the_manifest_on_real_speech_clips() -> None:
    clips = shared_wav_clips()
    assert clips

    for clip in clips:
        data = (SHARED_AUDIO / clip["file"]).read_bytes()
        info = probe(data)
        pcm = decode_pcm16k(data)

        assert info.container == "wav", clip["file"]
        assert info.duration_s == pytest.approx(clip["duration_s"], abs=0.01), clip["file"]
        assert len(pcm) / 16000 == pytest.approx(clip["duration_s"], abs=0.01), clip["file"]
        assert pcm_rms_dbfs(pcm) > -50, clip["file"]


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
