"""Validating untrusted uploads and decoding audio for the speech engines.

:func:`probe` runs on every upload inside the API process, so it decodes only the first
second and measures the rest from the container's packets (see ``_measure``), and stops as
soon as a limit is crossed. Every failure becomes a
:class:`~shared.errors.MediaRejected` whose message tells the sender what to do; no PyAV or
FFmpeg exception escapes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer

from shared.audio.sniff import (
    SNIFF_BYTES,
    describe_unknown,
    mp3_complete_as_declared,
    mp3_declared_duration,
    sniff_container,
    wav_declared_duration,
)
from shared.audio.wav_pcm import read_pcm16_wav, to_speech_rate
from shared.errors import MediaRejected

ACCEPTED = "mp3, wav, ogg/opus, webm, flac or m4a/aac"
SILENCE_DBFS = -120.0
SPEECH_RATE = 16000
# Below this share of the declared length a file is called cut rather than merely imprecise:
# encoder priming and container rounding stay well within 10 %.
_COMPLETE_RATIO = 0.9

MEDIA_TYPES: dict[str, str] = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "webm": "audio/webm",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
}

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
class AudioInfo:
    container: str
    codec: str
    media_type: str
    extension: str
    duration_s: float
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class _Container:
    label: str
    demuxer: str
    codecs: frozenset[str]
    # Bytes FFmpeg may read to learn the streams. A WAV's fmt chunk says everything, and
    # each byte read is scanned for a compressed (S/PDIF) stream hidden in the PCM: 64 KB
    # of that is 0.9 ms of every open, 4 KB is 0.14 ms.
    probesize: int = 65536


_CONTAINERS: dict[str, _Container] = {
    "wav": _Container(
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
    "mp3": _Container("MP3", "mp3", frozenset({"mp3"})),
    "ogg": _Container("Ogg", "ogg", frozenset({"opus", "vorbis", "flac"})),
    "webm": _Container("WebM/Matroska", "matroska", frozenset({"opus", "vorbis"})),
    "flac": _Container("FLAC", "flac", frozenset({"flac"})),
    "m4a": _Container("MP4/M4A", "mov", frozenset({"aac", "alac"})),
    "aac": _Container("AAC", "aac", frozenset({"aac"})),
}

# FFmpeg's decoder names where they differ from the codec names above.
_DECODER_ALIASES: dict[str, tuple[str, ...]] = {
    "mp3": ("mp3float",),
    "aac": ("aac_fixed",),
    "opus": ("libopus",),
}


def probe(data: bytes, *, min_duration_s: float = 0.3, max_duration_s: float = 600.0) -> AudioInfo:
    """Check that ``data`` is complete, decodable audio of an accepted kind and length."""
    if not data:
        raise MediaRejected(
            "empty_file",
            "The file is empty (0 bytes). Check that the recording finished saving, then "
            "upload it again.",
            status_code=400,
        )
    container = _sniff_or_reject(data)
    spec = _CONTAINERS[container]
    try:
        with _open(data, container) as media:
            stream = _audio_stream(media, container)
            declared = _declared_duration(container, data, media, stream)
            counted = _counted_by_header(container, data, stream, max_duration_s)
            if counted is not None:
                # Only the first quarter second is decoded (the codec works; rate, layout).
                _, rate, channels = _measure(media, stream, max_duration_s, _DECODE_FIRST_S)
                seconds = counted
            else:
                seconds, rate, channels = _measure(media, stream, max_duration_s)
            codec = stream.codec_context.codec.canonical_name
    except AV_ERRORS as exc:
        raise _undecodable(spec, exc) from exc

    if seconds < min_duration_s:
        raise MediaRejected(
            "too_short",
            f"The recording is too short: {seconds:.2f} s of audio decoded, and we need at "
            f"least {min_duration_s:g} s. Record a longer message and upload it again.",
        )
    if declared is not None and seconds < _COMPLETE_RATIO * declared:
        raise MediaRejected(
            "truncated",
            f"The file seems cut off: its header announces {declared:.1f} s but only "
            f"{seconds:.1f} s of audio decode. Upload the complete file (wait until the "
            "recording or download has finished).",
        )
    return AudioInfo(
        container=container,
        codec=codec,
        media_type=MEDIA_TYPES[container],
        extension=container,
        duration_s=seconds,
        sample_rate=rate,
        channels=channels,
    )


def decode_pcm16k(data: bytes) -> npt.NDArray[np.int16]:
    """The first audio stream as int16 mono samples at 16 kHz, what speech engines take."""
    container = _sniff_or_reject(data)
    wav = read_pcm16_wav(data) if container == "wav" else None
    if wav is not None:
        return to_speech_rate(wav, SPEECH_RATE)
    return decode_with_ffmpeg(data, container)


def decode_with_ffmpeg(data: bytes, container: str) -> npt.NDArray[np.int16]:
    """decode_pcm16k through FFmpeg's decoder, packet by packet (every format but 16-bit
    PCM WAV; kept callable so that the WAV reader can be checked against it)."""
    chunks: list[npt.NDArray[np.int16]] = []
    try:
        with _open(data, container) as media:
            stream = _audio_stream(media, container)
            chunks.extend(_speech_samples(_frames(media, stream)))
    except AV_ERRORS as exc:
        raise _undecodable(_CONTAINERS[container], exc) from exc
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    # One copy at the end instead of growing an array per frame.
    return np.concatenate(chunks).astype(np.int16, copy=False)


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


def _sniff_or_reject(data: bytes) -> str:
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


@contextmanager
def _open(data: bytes, container: str) -> Iterator[InputContainer]:
    spec = _CONTAINERS[container]
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


def _audio_stream(media: InputContainer, container: str) -> AudioStream:
    spec = _CONTAINERS[container]
    if not media.streams.audio:
        kinds = sorted({stream.type for stream in media.streams})
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


def _declared_duration(
    container: str, data: bytes, media: InputContainer, stream: AudioStream
) -> float | None:
    """The length the file's own header promises, when that promise is worth checking."""
    if container == "wav":
        return wav_declared_duration(data)
    # Ogg only records lengths page by page, so FFmpeg reports whatever is present; raw AAC
    # has no header with a length at all (FFmpeg's figure is a bitrate guess).
    if container in ("ogg", "aac"):
        return None
    if container == "mp3":
        return mp3_declared_duration(data)
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if media.duration:
        return media.duration / av.time_base
    return None


# Decoded at the start of every upload: a few frames (about ten of MP3 or AAC, a dozen Opus
# packets) prove the codec really decodes this stream and give its rate and layout. The rest
# is measured from the packets' own durations. A whole second was half of a 60 s mp3's
# probe (0.67 ms against 0.33 ms), a seventh of an upload's CPU.
_DECODE_FIRST_S = 0.25


def _counted_by_header(
    container: str, data: bytes, stream: AudioStream, max_duration_s: float
) -> float | None:
    """The length of an MP3 whose Xing/Info header counts its frames and bytes and whose size
    matches: FFmpeg's count from that header (encoder delay and padding taken off) is then
    exactly what decodes, and reading its ~2,300 packets per minute would only confirm it
    (4 ms of a 60 s file's 4.5 ms probe). Cut, concatenated or overlong files are read."""
    if container != "mp3" or not stream.duration or stream.time_base is None:
        return None
    seconds = float(stream.duration * stream.time_base)
    if seconds > max_duration_s or not mp3_complete_as_declared(data):
        return None
    return seconds


def _measure(
    media: InputContainer,
    stream: AudioStream,
    max_duration_s: float,
    only_first_s: float | None = None,
) -> tuple[float, int, int]:
    """Seconds, sample rate and channels of the stream, without decoding all of it.

    Decoding is most of a probe's cost (12-14 ms for a 60 s mp3, against under 4 ms to read
    its packets), and a truncated file shows in its packets as well as in its samples. So the
    first quarter second is decoded (the codec must really work, and the rate and layout come
    from it) and every later packet counts by the duration the container gives it; a packet
    without one is decoded and counted by its samples. Damage past that start which the
    demuxer does not notice is caught when the transcription stage decodes the file.
    """
    time_base = stream.time_base
    first: tuple[int, int] | None = None
    # Exact sums: a PCM file of 1.5 s measures 1.5, and a file exactly at a limit passes.
    limit = Fraction(max_duration_s)
    decoded = _DecodedLength(limit, Fraction(only_first_s or _DECODE_FIRST_S))
    # Packet durations are summed as integer ticks against a whole budget of ticks: Fraction
    # arithmetic per packet would cost more than reading the packet.
    ticks = 0
    budget = math.inf
    # Whether the start is decoded and packets can count by their durations.
    measuring = False
    packets = media.demux(stream)
    for packet in packets:
        if not packet.size:
            continue  # the demuxer's flush packets
        duration = packet.duration
        if duration and measuring:
            ticks += duration
            if ticks > budget:
                raise _too_long(float(ticks * (time_base or 0) + decoded.seconds()), max_duration_s)
            continue
        try:
            frames = stream.decode(packet)
        except AV_ERRORS:
            # A refused last packet is a file cut mid-frame, judged by its length; an error
            # with packets still to come is real damage.
            if any(later.size for later in packets):
                raise
            break
        for frame in frames:
            if frame.sample_rate <= 0:
                raise ValueError("a decoded frame has no sample rate")
            first = first or (frame.sample_rate, frame.layout.nb_channels)
            decoded.add(frame.samples, frame.sample_rate)
        if decoded.over_limit():
            raise _too_long(float(decoded.seconds()), max_duration_s)
        if decoded.first_part_done():
            if only_first_s is not None:
                break
            if time_base is not None:
                measuring = True
                budget = math.floor((limit - decoded.seconds()) / time_base)
    seconds = float(decoded.seconds() + (ticks * time_base if time_base is not None else 0))
    if first is None:
        first = (stream.codec_context.sample_rate, stream.codec_context.channels)
    return seconds, *first


class _DecodedLength:
    """Decoded audio as whole samples at the current rate, plus the exact seconds decoded at
    earlier rates (MP3 and AAC may switch). Adding a frame is an int addition and the checks
    compare ints against per-rate thresholds: a Fraction sum per frame was a third of a 60 s
    mp3's probe."""

    def __init__(self, limit: Fraction, first_part: Fraction) -> None:
        self._limit = limit
        self._first_part = first_part
        self._earlier = Fraction(0)
        self._rate = 0
        self._samples = 0
        self._limit_samples = 0
        self._first_samples = 0

    def add(self, samples: int, rate: int) -> None:
        if rate != self._rate:
            if self._rate:
                self._earlier += Fraction(self._samples, self._rate)
            self._rate, self._samples = rate, 0
            # More than limit seconds in all <=> more than floor(...) whole samples here.
            self._limit_samples = math.floor((self._limit - self._earlier) * rate)
            self._first_samples = math.ceil((self._first_part - self._earlier) * rate)
        self._samples += samples

    def over_limit(self) -> bool:
        return self._rate > 0 and self._samples > self._limit_samples

    def first_part_done(self) -> bool:
        return self._rate > 0 and self._samples >= self._first_samples

    def seconds(self) -> Fraction:
        if not self._rate:
            return self._earlier
        return self._earlier + Fraction(self._samples, self._rate)


def _too_long(seconds: float, max_duration_s: float) -> MediaRejected:
    return MediaRejected(
        "too_long",
        f"The recording is longer than the {max_duration_s:g} s we accept (we stopped "
        f"reading at {seconds:.1f} s). Trim it or split it into shorter parts.",
    )


def _frames(media: InputContainer, stream: AudioStream) -> Iterator[AudioFrame]:
    """The stream's decoded frames; a decoder error on the very last packet just ends them.

    A file cut mid-frame (FLAC, AAC) ends in half a packet the decoder refuses, where cut WAV,
    MP3 and Ogg files simply end: both are then judged by their length, not by the error.
    An error with packets still to come is real damage and propagates.
    """
    packets = media.demux(stream)
    for packet in packets:
        try:
            frames = stream.decode(packet)
        except AV_ERRORS:
            # Demuxing ends with empty flush packets; any data after this one means damage.
            if any(later.size for later in packets):
                raise
            return
        yield from frames


def _speech_samples(frames: Iterator[AudioFrame]) -> Iterator[npt.NDArray[np.int16]]:
    """16 kHz mono int16 chunks of ``frames``, whose rate or layout may change mid-stream."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
    shape: tuple[int, str, str] | None = None
    for frame in frames:
        current = (frame.sample_rate, frame.layout.name, frame.format.name)
        # A PyAV resampler refuses frames unlike its first; MP3 and AAC may switch rate.
        if shape is not None and current != shape:
            yield from _first_plane(resampler.resample(None))
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
        shape = current
        yield from _first_plane(resampler.resample(frame))
    yield from _first_plane(resampler.resample(None))


def _first_plane(frames: list[AudioFrame]) -> Iterator[npt.NDArray[np.int16]]:
    # Packed mono s16 comes out as shape (1, samples).
    return (frame.to_ndarray()[0] for frame in frames)


def _undecodable(spec: _Container, exc: Exception) -> MediaRejected:
    reason = (exc.strerror if isinstance(exc, av.error.FFmpegError) else None) or str(exc)
    return MediaRejected(
        "undecodable",
        f"The file looks like {spec.label} but could not be decoded ({reason}). It may be "
        "damaged or incomplete: export or download it again and upload the new copy.",
    )
