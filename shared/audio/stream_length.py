"""How long a stream is, measured from its packets with only its start decoded."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import cast

import av
from av.audio.codeccontext import AudioCodecContext
from av.audio.stream import AudioStream
from av.container import InputContainer

from shared.audio.containers import AV_ERRORS
from shared.audio.mp3_header import mp3_complete_as_declared, mp3_header_count
from shared.audio.structure import flac_frame_samples
from shared.errors import MediaRejected

# Decoded at the start of every upload: a few frames (about ten of MP3 or AAC, a dozen Opus
# packets) prove the codec really decodes this stream and give its rate and layout. The rest
# is measured from the packets' own durations. A whole second was half of a 60 s mp3's
# probe (0.67 ms against 0.33 ms), a seventh of an upload's CPU.
DECODE_FIRST_S = 0.25


def counted_by_header(
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


# FFmpeg's decoder for the mp3 codec, the one a demuxed mp3 stream gets.
_MP3_DECODER = "mp3float"
# Bytes handed to the parser at a time, and at most before the start must have decoded
# (as much as the container path's probe reads).
_MP3_CHUNK = 4096
_MP3_READ_AT_MOST = 65536


def counted_mp3(data: bytes, max_duration_s: float) -> tuple[float, int, int] | None:
    """Seconds, sample rate and channels of a whole MP3 counted by its Xing/Info header, its
    start decoded by a bare decoder; None for any other file, or one whose start does not
    decode, which the container path then measures (and refuses, if it must).

    Opening the container (the demuxer, then FFmpeg's stream probe, which starts a decoder
    of its own) was a third of such an upload's probe: 0.24 of 0.6-0.74 ms with the caches
    as a busy API leaves them (0.5 ms after). The count is FFmpeg's own
    (``mp3_header_count``, checked against the demuxer in
    tests/unit/shared/audio/test_counted_mp3.py) and the same first quarter second is
    decoded, so what is accepted here has passed the container path's checks and gets the
    same figures; whatever is refused is refused there, with its reason.
    """
    count = mp3_header_count(data)
    if count is None or count.samples > max_duration_s * count.sample_rate:
        return None
    wanted = math.ceil(DECODE_FIRST_S * count.sample_rate)
    decoder = cast(AudioCodecContext, av.CodecContext.create(_MP3_DECODER, "r"))
    decoded, channels = 0, 0
    end = min(len(data), count.audio_start + _MP3_READ_AT_MOST)
    try:
        for begin in range(count.audio_start, end, _MP3_CHUNK):
            for packet in decoder.parse(data[begin : min(begin + _MP3_CHUNK, end)]):
                for frame in decoder.decode(packet):
                    if frame.sample_rate != count.sample_rate:
                        return None
                    channels = channels or frame.layout.nb_channels
                    decoded += frame.samples
                # Checked per packet, not per chunk: a chunk holds twice the frames needed
                # at 64 kbit/s, and decoding them was most of this function's time.
                if decoded >= wanted:
                    return count.samples / count.sample_rate, count.sample_rate, channels
    except AV_ERRORS:
        return None
    return None


def measure(
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
    decoded = _DecodedLength(limit, Fraction(only_first_s or DECODE_FIRST_S))
    # Packet durations are summed as integer ticks against a whole budget of ticks: Fraction
    # arithmetic per packet would cost more than reading the packet.
    ticks = 0
    budget = math.inf
    # Whether the start is decoded and packets can count by their durations.
    measuring = False
    # The rate of a FLAC stream whose frames count by their headers' block sizes (the flac
    # demuxer gives its packets no duration), once its time base is known to be in samples.
    flac_rate = 0
    packets = media.demux(stream)
    for packet in packets:
        if not packet.size:
            continue  # the demuxer's flush packets
        duration = packet.duration
        if not duration and flac_rate:
            duration = flac_frame_samples(bytes(memoryview(packet)[:16]), flac_rate) or 0
        if duration and measuring:
            ticks += duration
            if ticks > budget:
                seconds = float(ticks * (time_base or 0) + decoded.seconds())
                raise TooLong(seconds, max_duration_s, _read_to(packet))
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
            raise TooLong(float(decoded.seconds()), max_duration_s, _read_to(packet))
        if decoded.first_part_done():
            if only_first_s is not None:
                break
            if time_base is not None:
                measuring = True
                budget = math.floor((limit - decoded.seconds()) / time_base)
                if first is not None and stream.codec_context.name == "flac":
                    flac_rate = first[0] if time_base == Fraction(1, first[0]) else 0
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


def _read_to(packet: av.Packet[AudioStream]) -> int | None:
    """The file's bytes up to the end of ``packet``, when the demuxer knows where it lay."""
    return packet.pos + packet.size if packet.pos is not None and packet.pos >= 0 else None


class TooLong(MediaRejected):
    """A stream past the longest recording accepted, read no further than ``read_s``
    seconds (``read_bytes`` of the file, when known): the caller may know its whole length
    from the file's header (``too_long``)."""

    def __init__(self, read_s: float, max_duration_s: float, read_bytes: int | None) -> None:
        refusal = too_long(max_duration_s, read_s=read_s)
        super().__init__(refusal.code, refusal.message)
        self.read_s, self.read_bytes = read_s, read_bytes


def too_long(
    max_duration_s: float, *, read_s: float, length_s: float | None = None
) -> MediaRejected:
    """The ``too_long`` refusal: the recording's length where the file records one (reading
    on to measure it would cost the API what the limit is there to spare), else how much
    was read before stopping."""
    if length_s is not None and length_s > max_duration_s:
        minutes = f" ({round(length_s / 60, 1):g} min)" if length_s >= 60 else ""
        told = f"The recording is {length_s:,.1f} s long{minutes}"
    else:
        told = f"The recording is longer than {read_s:,.1f} s (we stopped reading there)"
    return MediaRejected(
        "too_long",
        f"{told}; we accept at most {max_duration_s:g} s (the server's "
        "VOICEPIPE_API__MAX_DURATION_S setting). Trim it or split it into shorter parts.",
    )
