"""Validating untrusted uploads: is this complete, decodable audio of a kind and length we take?

:func:`probe` runs on every upload inside the API process, so it decodes only the first
quarter second and measures the rest from the container's packets
(``shared.audio.stream_length``), and stops as soon as a limit is crossed. Every failure
becomes a :class:`~shared.errors.MediaRejected` whose message tells the sender what to do; no
PyAV or FFmpeg exception escapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream
from av.container import InputContainer

from shared.audio.containers import (
    AV_ERRORS,
    CONTAINERS,
    audio_stream,
    media_type_of,
    open_media,
    sniff_or_reject,
    undecodable,
)
from shared.audio.mp3_header import id3v2_end, mp3_declared_duration, mp3_header_count
from shared.audio.stream_length import (
    DECODE_FIRST_S,
    TooLong,
    counted_by_header,
    counted_mp3,
    measure,
    too_long,
)
from shared.audio.structure import AMR_FRAME_S, iso_missing_bytes
from shared.audio.wav_header import wav_declared_duration
from shared.errors import MediaRejected

SILENCE_DBFS = -120.0
# Below this share of the declared length a file is called cut rather than merely imprecise:
# encoder priming and container rounding stay well within 10 %.
_COMPLETE_RATIO = 0.9
# 7.1 surround: past 8 channels FFmpeg's resampler knows no layout to mix down from, so the
# stt stage could never decode what intake took (a 64-channel WAV failed as stt.internal).
MAX_CHANNELS = 8
# What studio and field recorders write at most (phones and voicemail systems: 8-48 kHz).
# Past it only decoding cost grows: FLAC's 655,350 Hz in 7.1 packs 590 s into ~200 kB that
# cost the stt stage ~19 s of CPU to decode and resample (192 kHz: ~4 s).
MAX_SAMPLE_RATE_HZ = 192_000


@dataclass(frozen=True)
class AudioInfo:
    container: str
    codec: str
    media_type: str
    extension: str
    duration_s: float
    sample_rate: int
    channels: int


def probe(
    data: bytes,
    *,
    min_duration_s: float = 0.3,
    max_duration_s: float = 600.0,
    max_sample_rate_hz: float = MAX_SAMPLE_RATE_HZ,
) -> AudioInfo:
    """Check that ``data`` is complete, decodable audio of an accepted kind and length."""
    if not data:
        raise MediaRejected(
            "empty_file",
            "The file is empty (0 bytes). Check that the recording finished saving, then "
            "upload it again.",
            status_code=400,
        )
    container = sniff_or_reject(data)
    if container == "mp3" and not data[id3v2_end(data) :].strip(b"\0"):
        raise MediaRejected(
            "undecodable",
            f"The MP3 file holds only its ID3 tag (title, artist, cover art: {len(data):,} "
            "bytes) and no audio after it, as a download or export that stopped early leaves. "
            "Export or download it again and upload the complete file.",
        )
    # A whole MP3 with a Xing/Info header (as LAME and FFmpeg write them) needs no container
    # opened at all (shared.audio.stream_length.counted_mp3).
    counted_whole = counted_mp3(data, max_duration_s) if container == "mp3" else None
    if counted_whole is not None:
        seconds, rate, channels = counted_whole
        codec, declared = "mp3", mp3_declared_duration(data)
    else:
        declared, seconds, rate, channels, codec = _opened_and_measured(
            data, container, max_duration_s
        )

    if channels > MAX_CHANNELS:
        raise MediaRejected(
            "too_many_channels",
            f"The recording has {channels} channels; we take at most {MAX_CHANNELS} (mono, "
            "stereo, up to 7.1 surround). Mix it down to mono or stereo and upload it again.",
        )
    if rate > max_sample_rate_hz:
        raise MediaRejected(
            "sample_rate_too_high",
            f"The recording's sample rate is {rate:,} Hz; we take at most "
            f"{max_sample_rate_hz:,.0f} Hz (speech needs no more than 48,000 Hz). Resample it "
            "to 48,000 Hz or less and upload it again.",
        )
    # Before the length: a file cut short of its own header is too short too, and its
    # sender needs to hear it was cut, not to record a longer message.
    if declared is not None and seconds < _COMPLETE_RATIO * declared:
        raise MediaRejected(
            "truncated",
            f"The file seems cut off: its header announces {declared:.1f} s but only "
            f"{seconds:.1f} s of audio decode. Upload the complete file (wait until the "
            "recording or download has finished).",
        )
    if seconds == 0:
        # Only headers: the recording never reached the file, and a longer one would not help.
        raise MediaRejected(
            "too_short",
            f"The {CONTAINERS[container].label} file holds no audio at all: it has a header "
            "but no samples (the recorder stopped before saving any, or the file was copied "
            "while still being written). Export or save the recording again and upload the "
            "complete file.",
        )
    if seconds < min_duration_s:
        raise MediaRejected(
            "too_short",
            f"The recording is too short: {seconds:.2f} s of audio decoded, and we need at "
            f"least {min_duration_s:g} s. Record a longer message and upload it again.",
        )
    return AudioInfo(
        container=container,
        codec=codec,
        media_type=media_type_of(container, codec),
        extension=container,
        duration_s=seconds,
        sample_rate=rate,
        channels=channels,
    )


def _opened_and_measured(
    data: bytes, container: str, max_duration_s: float
) -> tuple[float | None, float, int, int, str]:
    """The declared length, measured seconds, rate, channels and codec, read through the
    container's demuxer."""
    try:
        # Past the longest recording accepted, joined AMR files need not be walked: the
        # count stops at max_duration_s and refuses it.
        max_frames = math.ceil(max_duration_s / AMR_FRAME_S) + 1
        with open_media(data, container, max_frames) as media:
            stream = audio_stream(media, container)
            declared = _declared_duration(container, data, media, stream)
            counted = counted_by_header(container, data, stream, max_duration_s)
            if counted is not None:
                # Only the first quarter second is decoded (the codec works; rate, layout).
                _, rate, channels = measure(media, stream, max_duration_s, DECODE_FIRST_S)
                seconds = counted
            else:
                try:
                    seconds, rate, channels = measure(media, stream, max_duration_s)
                except TooLong as exc:
                    length = _recorded_length(container, data, declared, media, stream)
                    if not _fits_its_size(length, exc, len(data)):
                        length = None
                    raise too_long(max_duration_s, read_s=exc.read_s, length_s=length) from None
            codec = stream.codec_context.codec.canonical_name
    except AV_ERRORS as exc:
        raise _cut_iso(data, container) or undecodable(CONTAINERS[container], exc) from exc
    except MediaRejected as exc:
        # Cut inside its index, an MP4's track may lose the handler that says it is sound:
        # the cut is what its sender can fix.
        if exc.code not in ("no_audio_stream", "undecodable"):
            raise
        raise _cut_iso(data, container) or exc from exc
    return declared, seconds, rate, channels, codec


def _cut_iso(data: bytes, container: str) -> MediaRejected | None:
    """The refusal of an MP4/3GP that ends inside a box, whatever FFmpeg made of it."""
    missing = iso_missing_bytes(data) if container in ("m4a", "3gp") else 0
    if not missing:
        return None
    return MediaRejected(
        "undecodable",
        f"The {CONTAINERS[container].label} file is damaged or incomplete: it ends "
        f"{missing:,} bytes short of what its own structure announces (it seems cut off), "
        "so it cannot be decoded. Upload the complete file (wait until the recording or "
        "download has finished).",
    )


def pcm_rms_dbfs(pcm: npt.ArrayLike) -> float:
    """Loudness in dB relative to full scale; silence and empty input give -120.0."""
    samples = np.asarray(pcm)
    if samples.size == 0:
        return SILENCE_DBFS
    full_scale = float(np.iinfo(samples.dtype).max) + 1 if samples.dtype.kind in "iu" else 1.0
    mean_square = float(np.mean(np.square(samples, dtype=np.float64))) / full_scale**2
    if mean_square <= 0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 10 * math.log10(mean_square))


def _declared_duration(
    container: str, data: bytes, media: InputContainer, stream: AudioStream
) -> float | None:
    """The length the file's own header promises, when that promise is worth checking."""
    if container == "wav":
        return wav_declared_duration(data)
    # Ogg only records lengths page by page, so FFmpeg reports whatever is present; raw AAC
    # and bare AMR have no header with a length at all (FFmpeg's figure is a bitrate guess,
    # which a few bytes of AMR missed by enough to be called cut).
    if container in ("ogg", "aac", "amr"):
        return None
    if container == "mp3":
        return mp3_declared_duration(data)
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if media.duration:
        return media.duration / av.time_base
    return None


def _recorded_length(
    container: str,
    data: bytes,
    declared: float | None,
    media: InputContainer,
    stream: AudioStream,
) -> float | None:
    """The whole length a file records of itself, to tell the sender of one too long: its
    header's, or for Ogg the last page's (FFmpeg reads it from the end). Raw AAC, bare AMR
    and an MP3 without a Xing/Info count record none (FFmpeg's figure is a bitrate guess)."""
    count = mp3_header_count(data) if container == "mp3" else None
    if count is not None:
        return count.samples / count.sample_rate  # what decodes; the declared is ~70 ms more
    if declared is not None or container in ("aac", "amr", "mp3"):
        return declared
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return media.duration / av.time_base if media.duration else None


# How far a header's length may exceed what the file's size holds at the rate of the part
# read: a variable bitrate's quiet start and loud rest stay within it, a header claiming
# hours for minutes of bytes does not.
_SIZE_SLACK = 2.0


def _fits_its_size(length: float | None, read: TooLong, size: int) -> bool:
    """Whether the file's bytes could hold ``length``: a header that promises more than the
    file holds (cut, or forged) is not the recording's length to tell its sender."""
    if length is None or not read.read_bytes:
        return False
    return length <= _SIZE_SLACK * read.read_s * size / read.read_bytes
