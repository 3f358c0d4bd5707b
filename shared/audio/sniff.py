"""What untrusted bytes claim to be, read from their headers alone.

Nothing here trusts a file name or a Content-Type, and nothing here calls FFmpeg: these are
the cheap checks made before any decoder sees the bytes, plus the header fields FFmpeg does not
use to tell a cut file from a complete one.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from shared.audio.structure import wav_block_byte_rate

# Enough leading bytes for every container's magic; a bare MPEG or ADTS stream is only
# confirmed by its second frame header when the bytes given reach that far.
SNIFF_BYTES = 64

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

# Formats people upload by mistake, so the refusal can say what the file looked like.
_KNOWN_NON_AUDIO: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"<?xml", "an XML document"),
    (b"<!DOCTYPE", "an HTML page"),
    (b"<html", "an HTML page"),
)


def sniff_container(head: bytes) -> str | None:
    """The accepted container the leading bytes announce, or None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:4] == b"fLaC":
        return "flac"
    if head[4:8] == b"ftyp":
        # The major brand: 3GPP's ("3gp4", "3gp5", "3g2a", ...) or any other ISO brand.
        return "3gp" if head[8:11] in (b"3gp", b"3g2") else "m4a"
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "amr"
    if head[:3] == b"ID3":
        # AAC and FLAC are sometimes tagged with ID3 too; FFmpeg skips the tag for any demuxer.
        body = head[_id3v2_end(head) :]
        if _is_adts_start(body):
            return "aac"
        if body[:4] == b"fLaC":
            return "flac"
        return "mp3"
    if _is_mpeg_audio_start(head):
        return "mp3"
    if _is_adts_start(head):
        return "aac"
    return None


def describe_unknown(head: bytes) -> str | None:
    """A person's name for what a non-audio upload appears to be, when we can tell."""
    for magic, name in _KNOWN_NON_AUDIO:
        if head.startswith(magic):
            return name
    sample = head[:512]
    if sample and _looks_like_text(sample):
        return "text"
    return None


def wav_declared_duration(data: bytes) -> float | None:
    """Seconds the RIFF header promises, or None when it promises nothing usable.

    FFmpeg sizes a WAV by what is present, so a cut upload looks complete to it; the ``data``
    chunk size is the only record of how long the recording was meant to be.
    """
    offset = 12
    byte_rate: float = 0
    # Each chunk advances at least 8 bytes; the cap bounds hostile files with many tiny chunks.
    for _ in range(256):
        if offset + 8 > len(data):
            return None
        chunk_id = data[offset : offset + 4]
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        if chunk_id == b"fmt " and offset + 20 <= len(data):
            fmt = data[offset + 8 : offset + 8 + max(16, min(size, 40))]
            byte_rate = wav_block_byte_rate(fmt) or _wav_byte_rate(fmt)
        elif chunk_id == b"data":
            # Streaming writers leave 0 or 0xFFFFFFFF because they did not know the length.
            if size in (0, 0xFFFFFFFF) or byte_rate == 0:
                return None
            return size / byte_rate
        offset += 8 + size + (size & 1)
    return None


# Format tags whose samples are a fixed number of whole bytes each: PCM, float, A-law, mu-law.
_WAV_SAMPLE_TAGS = frozenset({0x0001, 0x0003, 0x0006, 0x0007})
_WAV_EXTENSIBLE = 0xFFFE


def _wav_byte_rate(fmt: bytes) -> int:
    """The bytes per second of a WAV's samples, by its fmt chunk (``fmt``, its body).

    For sample formats, from the fields the samples themselves are read by (rate x channels
    x bytes per sample), as FFmpeg decodes them: the header's byte rate field is only a
    writer's sum, and real writers get it wrong (an intact file was refused as cut). Block
    coded codecs (ADPCM, GSM) are measured by their blocks (wav_block_byte_rate); for any
    other the field is the only figure, so it is used.
    """
    tag, channels, rate, byte_rate = (int(field) for field in struct.unpack_from("<HHII", fmt))
    bits = int.from_bytes(fmt[14:16], "little") if len(fmt) >= 16 else 0
    if tag == _WAV_EXTENSIBLE and len(fmt) >= 26:
        tag = int.from_bytes(fmt[24:26], "little")  # the sub-format GUID's leading tag
    if tag in _WAV_SAMPLE_TAGS and channels and rate and bits:
        return rate * channels * ((bits + 7) // 8)
    return byte_rate


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
    largest = _mpeg_frame(bytes([head[0], head[1], 0xE0 | (head[2] & 0x0C) | 0x02, head[3]]))
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


def _first_frame(data: bytes) -> tuple[int, _MpegFrame] | None:
    """The offset and header of the first MPEG audio frame (after any ID3v2 tag)."""
    offset = data.find(b"\xff", _id3v2_end(data))
    stop = offset + _MAX_FRAME_SEARCH
    while 0 <= offset < stop:
        frame = _mpeg_frame(data[offset : offset + 4])
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


def _id3v2_end(data: bytes) -> int:
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
class _MpegFrame:
    length: int
    sample_rate: int
    samples: int


def _is_mpeg_audio_start(head: bytes) -> bool:
    """A valid MPEG audio frame header, followed by another where its length says.

    One header alone matches about one random buffer in 5,000; a chain of two is what
    separates real streams from noise (FFmpeg's own probe counts frames the same way).
    """
    frame = _mpeg_frame(head)
    if frame is None:
        return False
    following = head[frame.length : frame.length + 4]
    return len(following) < 4 or _mpeg_frame(following) is not None


def _mpeg_frame(head: bytes) -> _MpegFrame | None:
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
        return _MpegFrame((12 * bitrate // rate + padding) * 4, rate, 384)
    if layer == 0b01 and not mpeg1:  # layer III of MPEG-2 and 2.5: half-size frames
        return _MpegFrame(72 * bitrate // rate + padding, rate, 576)
    return _MpegFrame(144 * bitrate // rate + padding, rate, 1152)


def _is_adts_start(head: bytes) -> bool:
    """An AAC ADTS frame header, followed by another where its length field says."""
    if not _is_adts_header(head):
        return False
    length = ((head[3] & 0b11) << 11) | (head[4] << 3) | (head[5] >> 5)
    if length < 7:
        return False
    following = head[length : length + 7]
    return len(following) < 7 or _is_adts_header(following)


def _is_adts_header(head: bytes) -> bool:
    """12-bit sync, layer 00 and a defined sampling-rate index."""
    if len(head) < 7 or head[0] != 0xFF or head[1] & 0xF6 != 0xF0:
        return False
    rate_index = (head[2] >> 2) & 0b1111
    return rate_index < 13


def _looks_like_text(sample: bytes) -> bool:
    try:
        decoded = sample.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a multi-byte character.
        decoded = sample[:-3].decode("utf-8", errors="replace")
        if "\ufffd" in decoded:
            return False
    if not decoded:
        return False
    printable = sum(char.isprintable() or char in "\r\n\t" for char in decoded)
    return printable >= 0.95 * len(decoded)
