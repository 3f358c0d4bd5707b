"""Hostile and malformed uploads for the bad-input corpus, built in memory.

Apart from ``audio_factory`` because they are a different kind of thing: not audio a user
would send, but structures that lie about themselves or cost an attacker nothing to make.
"""

from __future__ import annotations

import io
import math
from fractions import Fraction

import av
import numpy as np

from tests.audio_factory import RECIPES, AudioFormat, audio_stream, encode

# --- Hostile and malformed inputs -------------------------------------------------------------
# Built byte by byte where an encoder would be slow (hours of audio) or would refuse to write
# what we want (headers that lie), so that every one costs milliseconds to make.


def silence_encoded(fmt: AudioFormat, seconds: float, *, rate: int = 8000) -> bytes:
    """``seconds`` of digital silence through the real encoder, fed 10 s at a time."""
    recipe = RECIPES[fmt]
    out_rate = rate if recipe.rates is None or rate in recipe.rates else recipe.rates[0]
    chunk = np.zeros((1, rate * 10), dtype=np.int16)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=recipe.muxer, options=dict(recipe.options)) as container:
        stream = audio_stream(container, recipe.codec, out_rate, "mono")
        resampler = av.AudioResampler(format=recipe.sample_format, layout="mono", rate=out_rate)
        for index in range(math.ceil(seconds / 10)):
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate = rate
            frame.pts = index * chunk.shape[1]
            frame.time_base = Fraction(1, rate)
            for converted in resampler.resample(frame):
                container.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            container.mux(stream.encode(converted))
        container.mux(stream.encode(None))
    return buffer.getvalue()


# MPEG-2.5 layer III, 8 kbit/s, 8 kHz, mono, no CRC: 72 bytes for 576 samples (72 ms). Zero
# side information and no main data decode to digital silence.
_MP3_SILENT_FRAME = bytes([0xFF, 0xE3, 0x18, 0xC0]) + bytes(68)


def mp3_silence(seconds: float) -> bytes:
    """A bare 8 kHz mono MP3 stream of silence: 1 kB per second, made without an encoder."""
    return _MP3_SILENT_FRAME * math.ceil(seconds / 0.072)


def _crc_table(poly: int, width: int) -> tuple[int, ...]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return tuple(table)


_CRC8 = _crc_table(0x07, 8)
_CRC16 = _crc_table(0x8005, 16)


def _flac_crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


def _flac_crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ byte]
    return crc


def _flac_utf8(number: int) -> bytes:
    """FLAC's frame numbers: UTF-8's scheme, for numbers below 2**21 here."""
    if number < 0x80:
        return bytes([number])
    if number < 0x800:
        return bytes([0xC0 | number >> 6, 0x80 | number & 0x3F])
    if number < 0x10000:
        return bytes([0xE0 | number >> 12, 0x80 | (number >> 6) & 0x3F, 0x80 | number & 0x3F])
    return bytes(
        [
            0xF0 | number >> 18,
            0x80 | (number >> 12) & 0x3F,
            0x80 | (number >> 6) & 0x3F,
            0x80 | number & 0x3F,
        ]
    )


def flac_silence(
    seconds: float, *, rate: int = 48000, channels: int = 1, block: int = 65535
) -> bytes:
    """A valid FLAC stream of digital silence, about 4 + 3 * ``channels`` bytes per block.

    Every frame holds ``block`` samples per channel as CONSTANT subframes, so hours of audio
    fit in a few hundred kB: the decompression bomb of lossless audio.
    """
    frames = math.ceil(seconds * rate / block)
    fields = (rate << 44) | ((channels - 1) << 41) | (15 << 36) | frames * block  # 16-bit
    info = block.to_bytes(2, "big") * 2 + bytes(6) + fields.to_bytes(8, "big") + bytes(16)
    out = bytearray(b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info)
    # Fixed block size given after the header, rate and depth from STREAMINFO.
    fixed = bytes([0xFF, 0xF8, 0x70, ((channels - 1) << 4) | 0x08])
    subframes = bytes(3) * channels  # CONSTANT subframe type, value 0
    for number in range(frames):
        head = fixed + _flac_utf8(number) + (block - 1).to_bytes(2, "big")
        frame = head + bytes([_flac_crc8(head)]) + subframes
        out += frame + _flac_crc16(frame).to_bytes(2, "big")
    return bytes(out)


def wav_declaring(data_bytes: int, seconds: float = 1.0) -> bytes:
    """A WAV with ``seconds`` of audio whose ``data`` chunk claims ``data_bytes``."""
    data = bytearray(encode("wav", seconds))
    marker = data.index(b"data", 12)
    data[marker + 4 : marker + 8] = data_bytes.to_bytes(4, "little")
    data[4:8] = min(data_bytes + marker, 0xFFFFFFFF).to_bytes(4, "little")
    return bytes(data)


def mp3_declaring(frames: int, seconds: float = 2.0) -> bytes:
    """An MP3 whose LAME Info/Xing header counts ``frames`` frames, whatever follows it."""
    data = bytearray(encode("mp3", seconds))
    tag = max(data.find(b"Info"), data.find(b"Xing"))
    if tag < 0 or not int.from_bytes(data[tag + 4 : tag + 8], "big") & 0x1:
        raise ValueError("the encoder wrote no Info/Xing frame count")
    data[tag + 8 : tag + 12] = frames.to_bytes(4, "big")
    return bytes(data)


def wav_header_only(declared_s: float = 1.0) -> bytes:
    """RIFF/WAVE, ``fmt `` and a ``data`` chunk header announcing audio that never follows."""
    data = encode("wav", 0.1)
    marker = data.index(b"data", 12)
    header = bytearray(data[: marker + 8])
    byte_rate = int.from_bytes(header[28:32], "little")
    header[marker + 4 : marker + 8] = round(declared_s * byte_rate).to_bytes(4, "little")
    return bytes(header)


def id3_tag_only() -> bytes:
    """The ID3v2 tag an encoder puts before the first MP3 frame, and nothing else."""
    data = encode("mp3", 0.5)
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | byte
    return data[: 10 + size]


def first_box(fmt: AudioFormat, head_bytes: int | None = None) -> bytes:
    """The opening structure of ``fmt`` alone: Ogg's first page header, FLAC's marker and
    STREAMINFO, the EBML header of WebM, the ftyp box of M4A (or ``head_bytes`` bytes)."""
    data = encode(fmt, 0.5)
    if head_bytes is not None:
        return data[:head_bytes]
    if fmt == "ogg":
        return data[:27]
    if fmt == "flac":
        return data[: 4 + 4 + 34]
    if fmt == "webm":
        # The EBML element: 4-byte ID, then its size as a 1-byte vint (0x80 | size).
        if not data[4] & 0x80:
            raise ValueError("the muxer wrote a long EBML size")
        return data[: 5 + (data[4] & 0x7F)]
    if fmt == "m4a":
        return data[: int.from_bytes(data[:4], "big")]
    raise ValueError(f"no opening structure defined for {fmt}")


NON_AUDIO: dict[str, bytes] = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82",
    "pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>"
    b"\n%%EOF\n",
    "html": b"<!DOCTYPE html>\n<html><head><title>Voicemail</title></head>"
    b"<body><audio src='voicemail.mp3'></audio></body></html>\n",
    "json": b'{"voicemail": "voicemail.mp3", "duration_s": 12.5, "caller": "+17135554461"}\n',
    "gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(20),
}


def zip_archive() -> bytes:
    """A ZIP holding a real WAV, as a mail client might hand over an attachment."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("voicemail.wav", encode("wav", 1.0))
    return buffer.getvalue()


def cut_inside_index(fmt: AudioFormat, share: float, seconds: float = 4.0) -> bytes:
    """An MP4-family file (``fmt`` m4a or 3gp) cut ``share`` of the way into its index (moov),
    which the muxer writes after the samples."""
    whole = encode(fmt, seconds)
    offset = 0
    while whole[offset + 4 : offset + 8] != b"moov":
        offset += int.from_bytes(whole[offset : offset + 4], "big")
    return whole[: offset + round((len(whole) - offset) * share)]


def opus_in_short_frames(seconds: float) -> bytes:
    """Ogg Opus silence in 2.5 ms frames, Opus's shortest: about 4 bytes a packet, so 1 MB
    holds ~240,000 packets, every one of which FFmpeg's demuxer reads to measure the file."""
    recipe = RECIPES["ogg"]
    rate = 48000
    chunk = np.zeros((1, rate * 10), dtype=np.int16)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=recipe.muxer) as container:
        stream = container.add_stream(recipe.codec, rate=rate, options={"frame_duration": "2.5"})
        stream.layout = "mono"
        for index in range(math.ceil(seconds / 10)):
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout="mono")
            frame.sample_rate, frame.pts = rate, index * chunk.shape[1]
            frame.time_base = Fraction(1, rate)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def mp3_understating(seconds: float, frames: int = 100) -> bytes:
    """``seconds`` of MP3 silence whose Xing/Info header counts only ``frames`` frames, its
    byte count left true: a long recording that claims to be a few seconds."""
    data = bytearray(silence_encoded("mp3", seconds))
    tag = max(data.find(b"Info"), data.find(b"Xing"))
    if tag < 0 or not int.from_bytes(data[tag + 4 : tag + 8], "big") & 0x1:
        raise ValueError("the encoder wrote no Info/Xing frame count")
    data[tag + 8 : tag + 12] = frames.to_bytes(4, "big")
    return bytes(data)
