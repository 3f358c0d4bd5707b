"""Which containers and codecs an upload may be, and opening one safely with PyAV.

The API opens untrusted bytes in its own process, so each container is opened with only its
own demuxer and decoders allowed and no protocol at all (see ``open_media``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import av
from av.audio.stream import AudioStream
from av.container import InputContainer

from shared.audio.sniff import SNIFF_BYTES, describe_unknown, sniff_container
from shared.audio.structure import amr_as_one
from shared.errors import MediaRejected

ACCEPTED = "mp3, wav, ogg/opus, webm, flac, m4a/aac or amr/3gp"

MEDIA_TYPES: dict[str, str] = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "amr": "audio/amr",
    "3gp": "audio/3gpp",
}

# RFC 4867 names AMR's wide band apart; in a 3GP the file's own type covers both.
_CODEC_MEDIA_TYPES: dict[tuple[str, str], str] = {("amr", "amr_wb"): "audio/amr-wb"}


# Every media type an upload may be given, for the API's description of its answers.
UPLOAD_MEDIA_TYPES: tuple[str, ...] = tuple(
    sorted({*MEDIA_TYPES.values(), *_CODEC_MEDIA_TYPES.values()})
)


def media_type_of(container: str, codec: str) -> str:
    """The media type of an upload of ``container`` holding ``codec``."""
    return _CODEC_MEDIA_TYPES.get((container, codec), MEDIA_TYPES[container])


# Anything PyAV raises: its own errors, plus the builtin ones it uses for bad arguments
# (e.g. a resampler fed a frame whose rate changed mid-stream, or an index past a
# container's streams). One list for every caller, so they cannot drift apart.
AV_ERRORS: tuple[type[Exception], ...] = (
    av.error.FFmpegError,
    ValueError,
    EOFError,
    OSError,
    RuntimeError,
    IndexError,
)


@dataclass(frozen=True)
class Container:
    label: str
    demuxer: str
    codecs: frozenset[str]
    # Bytes FFmpeg may read to learn the streams. A WAV's fmt chunk says everything, and
    # each byte read is scanned for a compressed (S/PDIF) stream hidden in the PCM: 64 KB
    # of that is 0.9 ms of every open, 4 KB is 0.14 ms.
    probesize: int = 65536


CONTAINERS: dict[str, Container] = {
    "wav": Container(
        "WAV",
        "wav",
        frozenset(
            {
                *("pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_f64le", "pcm_u8"),
                # Telephone systems write these.
                *("pcm_mulaw", "pcm_alaw", "adpcm_ima_wav", "adpcm_ms", "gsm_ms"),
            }
        ),
        probesize=4096,
    ),
    "mp3": Container("MP3", "mp3", frozenset({"mp3"})),
    "ogg": Container("Ogg", "ogg", frozenset({"opus", "vorbis", "flac"})),
    "webm": Container("WebM/Matroska", "matroska", frozenset({"opus", "vorbis"})),
    "flac": Container("FLAC", "flac", frozenset({"flac"})),
    # Opus: Chromium's MediaRecorder asked for "audio/mp4" records Opus in fragmented MP4.
    "m4a": Container("MP4/M4A", "mov", frozenset({"aac", "alac", "opus"})),
    "aac": Container("AAC", "aac", frozenset({"aac"})),
    # Phones and carriers' visual voicemail deliver AMR (3GPP's speech codec, 8 kHz narrow
    # band or 16 kHz wide band), as a bare stream or in a 3GP file; FFmpeg decodes both
    # natively. A 3GP is an ISO file like an M4A, kept apart so that cloud engines that
    # take M4A but not 3GP get it re-encoded.
    "amr": Container("AMR", "amr", frozenset({"amr_nb", "amr_wb"})),
    "3gp": Container("3GP", "mov", frozenset({"amr_nb", "amr_wb", "aac"})),
}

# Codecs a browser's <audio> plays as uploaded, measured in Chromium (the inbox's test
# browser): mp3, aac, opus and flac in their containers, and WAV's PCM of 8 to 32 bits,
# float and mu/A-law. It refused AMR (bare or in 3GP), IMA and MS ADPCM, 64-bit float and
# ALAC; GSM, for which the wheels have no encoder to try, is not assumed to play. Recordings
# in any other codec get a listening copy (workers/stt.py).
BROWSERS_PLAY = frozenset(
    {
        *("mp3", "aac", "opus", "vorbis", "flac"),
        *("pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8", "pcm_mulaw", "pcm_alaw"),
    }
)

# FFmpeg's decoder names where they differ from the codec names above.
_DECODER_ALIASES: dict[str, tuple[str, ...]] = {
    "mp3": ("mp3float",),
    "aac": ("aac_fixed",),
    "opus": ("libopus",),
    "amr_nb": ("amrnb", "libopencore_amrnb"),
    "amr_wb": ("amrwb", "libopencore_amrwb"),
}


def sniff_or_reject(data: bytes) -> str:
    # The whole buffer, not SNIFF_BYTES: a long ID3 tag may hide an AAC or FLAC body.
    container = sniff_container(data)
    if container is not None:
        return container
    looks_like = describe_unknown(data[: SNIFF_BYTES * 8])
    hint = f" (it looks like {looks_like})" if looks_like else ""
    raise MediaRejected(
        "unsupported_format",
        f"The file is not audio we accept: its first bytes match no supported format{hint}. "
        f"Send {ACCEPTED}.",
        status_code=415,
    )


def as_one_stream(data: bytes, container: str, max_frames: int | None = None) -> bytes:
    """``data`` as a demuxer reads it whole: joined AMR files (each behind its own header,
    as some voicemail systems export a message) become one stream; anything else is
    ``data`` itself. Probing and decoding both open through this, so a recording is measured
    as it decodes, and engines sent the original bytes get these. ``max_frames``: see
    ``amr_as_one``."""
    if container != "amr":
        return data
    whole = amr_as_one(data, max_frames)
    if whole is None:
        raise MediaRejected(
            "undecodable",
            "The AMR file joins a narrow band and a wide band recording, which cannot be "
            "decoded as one. Upload each recording as a separate file.",
        )
    return whole


@contextmanager
def open_media(
    data: bytes, container: str, max_frames: int | None = None
) -> Iterator[InputContainer]:
    spec = CONTAINERS[container]
    data = as_one_stream(data, container, max_frames)
    decoders = {*spec.codecs, *(a for c in spec.codecs for a in _DECODER_ALIASES.get(c, ()))}
    options = {
        # The bytes arrive through Python I/O; refuse any protocol a demuxer might reach for
        # (references to other files or URLs), and any nested demuxer other than ours.
        "protocol_whitelist": "none",
        "format_whitelist": spec.demuxer,
        # Stream probing opens a decoder per stream; keep video and exotic decoders out of
        # the API process entirely.
        "codec_whitelist": ",".join(sorted(decoders)),
        # Stream probing would otherwise read (and for PCM, decode) up to 5 s or 5 MB before
        # the real decode reads it all again: 30 ms of a 10 s CD-quality WAV's 35 ms probe.
        "probesize": str(spec.probesize),
        "analyzeduration": "500000",
    }
    media = av.open(
        io.BytesIO(data),
        "r",
        format=spec.demuxer,
        container_options=options,
        metadata_errors="replace",
    )
    try:
        yield media
    finally:
        media.close()


def audio_stream(media: InputContainer, container: str) -> AudioStream:
    spec = CONTAINERS[container]
    if not media.streams.audio:
        kinds = sorted({stream.type for stream in media.streams})
        if spec.demuxer == "mov" and set(kinds) <= {"data"}:
            # An index FFmpeg could read no sound or picture track from: a damaged or cut
            # file (a track whose handler is lost reads as "data"), not a silent video.
            raise MediaRejected(
                "undecodable",
                f"The {spec.label} file is damaged: its index names no track we can read "
                "(no sound, no picture). Export or download it again and upload the new "
                "copy.",
            )
        found = f" (it holds only {' and '.join(kinds)})" if kinds else ""
        raise MediaRejected(
            "no_audio_stream",
            f"The {spec.label} file contains no audio track{found}. Upload the sound "
            f"recording itself, or export its audio as {ACCEPTED}.",
        )
    stream = media.streams.audio[0]
    # PyAV leaves no codec context when FFmpeg has no decoder for the stream's codec id.
    context = stream.codec_context
    codec = context.codec.canonical_name if context is not None else None
    if codec is None or codec not in spec.codecs:
        described = f"{codec} audio" if codec else "audio in a codec we cannot identify"
        raise MediaRejected(
            "unsupported_codec",
            f"The {spec.label} file holds {described}, which we do not accept in "
            f"{spec.label} (we take {', '.join(sorted(spec.codecs))}). Convert it to "
            f"{ACCEPTED} and upload it again.",
            status_code=415,
        )
    return stream


def decoder_reason(exc: Exception) -> str:
    """Why a decode failed, in FFmpeg's words ("Invalid data found when processing input"):
    without PyAV's errno and the file name it appends, "': '<none>'" for bytes in memory."""
    return (exc.strerror if isinstance(exc, av.error.FFmpegError) else None) or str(exc)


def undecodable(spec: Container, exc: Exception) -> MediaRejected:
    """The refusal of a file whose decoder failed: what is wrong and what to do first, in
    the sender's words; the decoder's own ("Invalid data found when processing input",
    "End of file") last, in parentheses, for whoever reports it."""
    reason = decoder_reason(exc)
    detail = f" (decoder: {reason.rstrip('.')})" if reason else ""
    return MediaRejected(
        "undecodable",
        f"The file looks like {spec.label} but could not be decoded: it may be damaged or "
        f"incomplete. Export or download it again and upload the new copy.{detail}",
    )
