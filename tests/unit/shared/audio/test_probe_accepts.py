"""Upload validation: what the audio probe accepts (every supported container, odd but
sound files, real speech clips) and what it reports of it."""

from __future__ import annotations

import pytest

from shared.audio import (
    MEDIA_TYPES,
    decode_pcm16k,
    pcm_rms_dbfs,
    probe,
)
from shared.errors import MediaRejected
from tests import audio_factory as factory
from tests import hostile_audio as hostile
from tests.audio_factory import ALL_FORMATS, SHARED_AUDIO, AudioFormat, Recipe, shared_wav_clips

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


@pytest.mark.parametrize(
    "movflags", ["", "frag_keyframe+empty_moov+default_base_moof"], ids=["whole", "fragmented"]
)
def test_probe_accepts_opus_in_mp4_as_chromium_records_audio_mp4(movflags: str) -> None:
    # Chromium's MediaRecorder asked for "audio/mp4" records "audio/mp4;codecs=opus", in
    # fragments: a browser's own voice note was refused as 415 unsupported_codec.
    options = (("movflags", movflags),) if movflags else ()
    recipe = Recipe("mp4", "libopus", "s16", rates=(48000,), options=options)
    data = factory.encode_samples(factory.tone(2.0, 48000), "m4a", 48000, recipe=recipe)

    info = probe(data)

    assert (info.container, info.codec, info.media_type) == ("m4a", "opus", "audio/mp4")
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert len(decode_pcm16k(data)) == pytest.approx(32000, abs=400)


def test_probe_accepts_192_khz_in_7_1_the_most_a_field_recorder_writes() -> None:
    info = probe(hostile.flac_silence(60, rate=192000, channels=8), max_sample_rate_hz=192000)

    assert (info.sample_rate, info.channels) == (192000, 8)
