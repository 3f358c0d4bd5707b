"""Bare MPEG and ADTS frames, and real magic bytes with garbage behind them, for the tests
of sniffing and probing."""

from __future__ import annotations

# Bare MPEG and ADTS streams are only recognised by two chained frame headers.
MPEG_FRAME = b"\xff\xfb\x90\x00"  # MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417 bytes
ADTS_FRAME = b"\xff\xf1\x50\x80\x0c\x9f\xfc"  # AAC LC, 44.1 kHz, stereo: 100 bytes
GARBAGE_BEHIND_MAGIC = {
    "wav": b"RIFF\x00\x10\x00\x00WAVE",
    "mp3-id3": b"ID3",
    "mp3-frame": MPEG_FRAME + bytes(413) + MPEG_FRAME,
    "ogg": b"OggS",
    "webm": b"\x1a\x45\xdf\xa3",
    "flac": b"fLaC",
    "m4a": b"\x00\x00\x00\x18ftypM4A ",
    "aac": ADTS_FRAME + bytes(93) + ADTS_FRAME,
}
