"""An MP3's frame headers and the Xing/Info/VBRI header of its first frame, read from the
bytes without FFmpeg: the frame count FFmpeg does not use to tell a cut (or joined) file from
a complete one, and the frame header shared.audio.sniff recognises a bare MPEG stream by."""

from __future__ import annotations

from dataclasses import dataclass

_ID3_HEADER = 10
# Encoders pad between the ID3 tag and the first frame, rarely by more than a few hundred bytes.
_MAX_FRAME_SEARCH = 4096

# Sample rates by MPEG version bits, and kbit/s by (MPEG-1?, layer bits) for indexes 1-14.
_MPEG_RATES: dict[int, tuple[int, int, int]] = {
    0b11: (44100, 48000, 32000),
    0b10: (22050, 24000, 16000),
    0b00: (11025, 12000, 8000),
}
_MPEG2_KBITS = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MPEG_KBITS: dict[tuple[bool, int], tuple[int, ...]] = {
    (True, 0b11): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 0b10): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 0b01): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 0b11): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 0b10): _MPEG2_KBITS,
    (False, 0b01): _MPEG2_KBITS,
}

# Decoders drop the encoder's priming and padding (LAME: 576 + 529 decoder delay + under
# one frame of padding); the header counts them, so its promise is this much generous.
_MP3_TRIMMED_SAMPLES = 2304


def mp3_declared_duration(data: bytes) -> float | None:
    """Seconds counted by the Xing/Info/VBRI header in the first MP3 frame, None without one.

    FFmpeg drops that count when the file is larger than the header says (concatenated
    files) and then guesses from the first frame's bitrate, which proves nothing about a cut
    and is wrong for variable bitrates; reading the count here keeps to the file's promise.
    """
    found = _first_frame(data)
    if found is None:
        return None
    offset, frame = found
    frames = _counted_frames(data, offset)
    if not frames:
        return None
    samples = max(0, frames * frame.samples - _MP3_TRIMMED_SAMPLES)
    return samples / frame.sample_rate


def mp3_complete_as_declared(data: bytes) -> bool:
    """Whether the bytes after the first MP3 frame are as many as its Xing/Info header says
    the stream has (give or take a trailing ID3v1 tag and a frame): a file neither cut nor
    concatenated, whose header's duration can be trusted without reading every packet."""
    found = _first_frame(data)
    if found is None:
        return False
    xing = _xing_fields(data, found[0])
    return xing is not None and _as_long_as_declared(data, found[0], *xing)


def _as_long_as_declared(data: bytes, offset: int, flags: int, flags_at: int) -> bool:
    """Whether the Xing/Info header whose flags are at ``flags_at``, in the frame at
    ``offset``, records frames and bytes, and the bytes are there."""
    if not (flags & 0x1 and flags & 0x2):
        return False
    frames = int.from_bytes(data[flags_at + 4 : flags_at + 8], "big")
    declared = int.from_bytes(data[flags_at + 8 : flags_at + 12], "big")
    # A count of frames too few to hold its bytes, even at the highest bitrate, is a lie
    # (a long recording claiming a few seconds): the file is then read frame by frame.
    if frames * _largest_frame(data[offset : offset + 4]) < declared:
        return False
    present = len(data) - offset - (128 if data[-128:-125] == b"TAG" else 0)
    # One frame of slack: at most 1,441 bytes (320 kbit/s at 32 kHz).
    return abs(present - declared) <= 1441


def _largest_frame(head: bytes) -> int:
    """The longest frame of the MPEG version, layer and rate of the frame header ``head``
    (the highest bitrate, padded)."""
    largest = mpeg_frame(bytes([head[0], head[1], 0xE0 | (head[2] & 0x0C) | 0x02, head[3]]))
    return largest.length if largest is not None else 0


@dataclass(frozen=True)
class Mp3Count:
    """A whole Layer III stream as its Xing/Info header counts it."""

    # What decodes, as FFmpeg's mp3 demuxer reckons it: the header's frames times samples
    # per frame, less the encoder's delay and padding when LAME's tag (written by LAME and
    # FFmpeg) records them.
    samples: int
    sample_rate: int
    # Where the first frame of audio starts: the header's own frame holds none.
    audio_start: int


# Where a Xing/Info tag starts in its frame: after the 4-byte header and the side information,
# by (MPEG-1?, mono?). FFmpeg reads it only there.
_XING_AT: dict[tuple[bool, bool], int] = {
    (True, False): 36,
    (True, True): 21,
    (False, False): 21,
    (False, True): 13,
}
# The header's optional fields by flag: frames, bytes, a table of contents, a quality figure.
_XING_FIELDS = ((0x1, 4), (0x2, 4), (0x4, 100), (0x8, 4))
# Encoders whose tag after those fields records delay and padding, the ones FFmpeg reads.
_LAME_TAGGERS = (b"LAME", b"Lavf", b"Lavc")


def mp3_header_count(data: bytes) -> Mp3Count | None:
    """The count of a Layer III stream whose Xing/Info header records its frames and bytes,
    read as FFmpeg reads it, when the file is as long as the header says (as
    ``mp3_complete_as_declared`` checks); None for anything else."""
    found = _first_frame(data)
    if found is None:
        return None
    offset, frame = found
    head = data[offset : offset + 4]
    if (head[1] >> 1) & 0b11 != 0b01:  # not Layer III
        return None
    mpeg1, mono = head[1] & 0b11000 == 0b11000, head[3] >> 6 == 0b11
    flags_at = offset + _XING_AT[(mpeg1, mono)] + 4
    if data[flags_at - 4 : flags_at] not in (b"Xing", b"Info"):
        return None
    flags = int.from_bytes(data[flags_at : flags_at + 4], "big")
    if not _as_long_as_declared(data, offset, flags, flags_at):
        return None
    frames = int.from_bytes(data[flags_at + 4 : flags_at + 8], "big")
    if not frames:
        return None
    tagger = flags_at + 4 + sum(size for bit, size in _XING_FIELDS if flags & bit)
    samples = frames * frame.samples
    if data[tagger : tagger + 4] in _LAME_TAGGERS:
        delays = int.from_bytes(data[tagger + 21 : tagger + 24], "big")
        samples -= (delays >> 12) + (delays & 0xFFF)
    return Mp3Count(max(0, samples), frame.sample_rate, offset + frame.length)


def _first_frame(data: bytes) -> tuple[int, MpegFrame] | None:
    """The offset and header of the first MPEG audio frame (after any ID3v2 tag)."""
    offset = data.find(b"\xff", id3v2_end(data))
    stop = offset + _MAX_FRAME_SEARCH
    while 0 <= offset < stop:
        frame = mpeg_frame(data[offset : offset + 4])
        if frame is not None:
            return offset, frame
        offset = data.find(b"\xff", offset + 1)
    return None


def _xing_fields(data: bytes, offset: int) -> tuple[int, int] | None:
    """The flags of a Xing/Info header in the frame at ``offset`` and where they start."""
    # Xing/Info follow the side info (9 to 32 bytes after the header).
    window = data[offset + 4 : offset + 48]
    for tag in (b"Xing", b"Info"):
        found = window.find(tag)
        if found >= 0:
            flags_at = offset + 4 + found + 4
            return int.from_bytes(data[flags_at : flags_at + 4], "big"), flags_at
    return None


def _counted_frames(data: bytes, offset: int) -> int | None:
    """The frame count of a Xing/Info or VBRI header (VBRI sits at 36) in the frame at
    ``offset``."""
    xing = _xing_fields(data, offset)
    if xing is not None:
        flags, flags_at = xing
        return int.from_bytes(data[flags_at + 4 : flags_at + 8], "big") if flags & 0x1 else None
    if data[offset + 36 : offset + 40] == b"VBRI":
        return int.from_bytes(data[offset + 50 : offset + 54], "big")
    return None


def id3v2_end(data: bytes) -> int:
    """Offset just past a leading ID3v2 tag (0 when there is none or it is implausible)."""
    if len(data) < _ID3_HEADER or data[:3] != b"ID3":
        return 0
    size_bytes = data[6:10]
    # Sizes are "syncsafe": 7 bits per byte, so a set high bit means this is not a tag.
    if any(byte & 0x80 for byte in size_bytes):
        return 0
    size = 0
    for byte in size_bytes:
        size = (size << 7) | byte
    footer = _ID3_HEADER if data[5] & 0x10 else 0
    return _ID3_HEADER + size + footer


@dataclass(frozen=True)
class MpegFrame:
    length: int
    sample_rate: int
    samples: int


def mpeg_frame(head: bytes) -> MpegFrame | None:
    """The MPEG-1/2/2.5 audio frame whose header starts ``head``, None if it is not one."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return None
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate_index = head[2] >> 4
    rate_index = (head[2] >> 2) & 0b11
    padding = (head[2] >> 1) & 1
    # 01 versions and 00 layers are reserved, bitrate 15 is forbidden; free-format (bitrate
    # 0) is legal but too rare to be worth letting noise through.
    if version == 0b01 or layer == 0 or bitrate_index in (0, 15) or rate_index == 0b11:
        return None
    mpeg1 = version == 0b11
    bitrate = _MPEG_KBITS[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = _MPEG_RATES[version][rate_index]
    if layer == 0b11:  # layer I
        return MpegFrame((12 * bitrate // rate + padding) * 4, rate, 384)
    if layer == 0b01 and not mpeg1:  # layer III of MPEG-2 and 2.5: half-size frames
        return MpegFrame(72 * bitrate // rate + padding, rate, 576)
    return MpegFrame(144 * bitrate // rate + padding, rate, 1152)
