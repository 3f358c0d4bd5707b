"""What untrusted bytes claim to be, read from their headers alone.

Nothing here trusts a file name or a Content-Type, and nothing here calls FFmpeg: these are
the cheap checks made before any decoder sees the bytes. The header fields FFmpeg does not
use to tell a cut file from a complete one are read in shared.audio.mp3_header and
shared.audio.wav_header.
"""

from __future__ import annotations

from shared.audio.mp3_header import id3v2_end, mpeg_frame

# Enough leading bytes for every container's magic; a bare MPEG or ADTS stream is only
# confirmed by its second frame header when the bytes given reach that far.
SNIFF_BYTES = 64

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
        body = head[id3v2_end(head) :]
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


# Recordings in containers we do not take: named, so the sender knows it is the format, not
# the recording, to change (Apple's voice apps write CAF and AIFF; broadcast and studio
# recorders RF64 and Wave64). Checked as (offset, magic) pairs.
_KNOWN_OTHER_AUDIO: tuple[tuple[tuple[tuple[int, bytes], ...], str], ...] = (
    (((0, b"caff"),), "an Apple Core Audio (CAF) recording"),
    (((0, b"FORM"), (8, b"AIFF")), "an AIFF recording"),
    (((0, b"FORM"), (8, b"AIFC")), "an AIFF-C recording"),
    (((0, b"riff\x2e\x91\xcf\x11"),), "a Sony Wave64 (W64) recording"),
    (((0, b"RF64"), (8, b"WAVE")), "an RF64 WAV (a WAV for files over 4 GB)"),
    (((0, b"BW64"), (8, b"WAVE")), "a BW64 WAV (a WAV for files over 4 GB)"),
    (((0, b".snd"),), "a Sun/NeXT AU recording"),
    (((0, b"0&\xb2u\x8ef\xcf\x11"),), "a Windows Media (WMA/ASF) file"),
    (((0, b"RIFF"), (8, b"AVI ")), "an AVI video"),
)


def describe_unknown(head: bytes) -> str | None:
    """A person's name for what a non-audio upload appears to be, when we can tell."""
    for marks, name in _KNOWN_OTHER_AUDIO:
        if all(head[at : at + len(magic)] == magic for at, magic in marks):
            return f"{name}, a format we do not take"
    for magic, name in _KNOWN_NON_AUDIO:
        if head.startswith(magic):
            return name
    sample = head[:512]
    if sample and _looks_like_text(sample):
        return "text"
    return None


def _is_mpeg_audio_start(head: bytes) -> bool:
    """A valid MPEG audio frame header, followed by another where its length says.

    One header alone matches about one random buffer in 5,000; a chain of two is what
    separates real streams from noise (FFmpeg's own probe counts frames the same way).
    """
    frame = mpeg_frame(head)
    if frame is None:
        return False
    following = head[frame.length : frame.length + 4]
    return len(following) < 4 or mpeg_frame(following) is not None


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
