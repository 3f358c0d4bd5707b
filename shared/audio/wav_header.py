"""The length a WAV's header promises, read from its RIFF chunks without decoding: FFmpeg sizes
a WAV by what is present, so this is what tells a cut upload from a complete one."""

from __future__ import annotations

import struct

from shared.audio.structure import wav_block_byte_rate


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
