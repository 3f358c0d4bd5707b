"""What a file's own structure announces, read from its bytes without decoding: a FLAC
frame's samples, where an MP4/3GP's top-level boxes end, and where joined AMR files meet.

Split from shared.audio.sniff (which tells containers apart; shared.audio.mp3_header and
shared.audio.wav_header read MP3 and WAV headers): these serve the length measure
(shared.audio.stream_length), the refusal of a cut MP4 (shared.audio.probing) and opening
joined AMR files as one (shared.audio.containers).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

# FLAC frame headers' block sizes and sample rates by their 4-bit codes (0: STREAMINFO's
# rate; 12-14 and block codes 6-7 are read from the bytes after the frame number).
_FLAC_RATES = (0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000)


def flac_frame_samples(head: bytes, stream_rate: int) -> int | None:
    """The samples per channel a FLAC frame header announces, when the frame is at
    ``stream_rate``; None for anything else (not a frame header, or another rate).

    FFmpeg's flac demuxer gives its packets no duration, and its decoder makes exactly this
    many samples of each frame: counting them here spares decoding every frame of a file
    (up to 65,535 samples a frame at up to 655 kHz, in eight channels).
    """
    if len(head) < 6 or head[0] != 0xFF or head[1] & 0xFE != 0xF8:
        return None
    block_code, rate_code = head[2] >> 4, head[2] & 0x0F
    # The frame or sample number: UTF-8's scheme, 1 to 7 bytes.
    leading = 8 - (~head[4] & 0xFF).bit_length()
    if leading == 1 or leading > 7:
        return None
    at = 4 + max(leading, 1)
    extra_block = {6: 1, 7: 2}.get(block_code, 0)
    if len(head) < at + extra_block + 2:
        return None
    if block_code == 0:
        return None
    if block_code == 1:
        block = 192
    elif block_code <= 5:
        block = 576 << (block_code - 2)
    elif extra_block:
        block = int.from_bytes(head[at : at + extra_block], "big") + 1
    else:
        block = 256 << (block_code - 8)
    at += extra_block
    if rate_code == 0:
        rate = stream_rate
    elif rate_code < 12:
        rate = _FLAC_RATES[rate_code]
    elif rate_code == 12:
        rate = head[at] * 1000
    elif rate_code == 13:
        rate = int.from_bytes(head[at : at + 2], "big")
    elif rate_code == 14:
        rate = int.from_bytes(head[at : at + 2], "big") * 10
    else:
        return None
    return block if rate == stream_rate else None


def iso_missing_bytes(data: bytes) -> int:
    """How many bytes short of its last top-level box an MP4/3GP file ends (0 when its
    boxes end with the file): a file cut off mid-box, whose index (moov) may be half there."""
    offset = 0
    while offset + 8 <= len(data):
        # Box types are four letters or digits: random bytes behind an ftyp are no chain.
        if not data[offset + 4 : offset + 8].isalnum():
            return 0
        size = int.from_bytes(data[offset : offset + 4], "big")
        if size == 1 and offset + 16 <= len(data):  # a 64-bit size follows the type
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        if size == 0:  # the box runs to the end of the file
            return 0
        if size < 8:
            return 0  # not a box chain we can follow: the demuxer judges it
        offset += size
    return max(0, offset - len(data)) if offset > len(data) else 0


AMR_NB_HEADER, AMR_WB_HEADER = b"#!AMR\n", b"#!AMR-WB\n"
# Bytes of a frame (its ToC byte included) by frame type, as FFmpeg's amr demuxer cuts them.
_AMR_FRAME_BYTES = {
    AMR_NB_HEADER: (13, 14, 16, 18, 20, 21, 27, 32, 6, 1, 1, 1, 1, 1, 1, 1),
    AMR_WB_HEADER: (18, 24, 33, 37, 41, 47, 51, 59, 61, 6, 1, 1, 1, 1, 1, 1),
}


# Every AMR frame, "no data" ones included, is 20 ms of the recording.
AMR_FRAME_S = 0.02


def amr_as_one(data: bytes, max_frames: int | None = None) -> bytes | None:
    """A bare AMR stream with the headers of any files joined onto it dropped (some
    voicemail systems export a message as two .amr files concatenated); ``data`` itself when
    it holds one file, None when narrow and wide band files are joined.

    FFmpeg reads an inner "#!AMR\n" as a frame of garbage, and every frame after it out of
    step: the decoder then refuses the rest. A header counts where a frame would start, or
    inside a frame when the file before it ended mid-frame (cut while it was written) and
    whole frames follow it: that partial frame, which no decoder can read, is dropped.

    With ``max_frames``, the walk stops past that many frames and leaves the rest as it is:
    a recording that long is refused for its length whatever follows, and walking a 25 MB
    upload of one-byte frames took ~4 s of the API's one intake thread.
    """
    header = AMR_WB_HEADER if data.startswith(AMR_WB_HEADER) else AMR_NB_HEADER
    # The common case, one file, costs one scan in C and no walk.
    found = data.find(b"#!AMR", len(header))
    if found < 0:
        return data
    sizes = _AMR_FRAME_BYTES[header]
    pieces, start, at = [], 0, len(header)
    walked = 0
    while at < len(data):
        if max_frames is not None and walked > max_frames:
            break
        if at == found:
            band = _amr_header_at(data, at)
            if band == header:
                pieces.append(data[start:at])
                at = start = at + len(header)
                found = data.find(b"#!AMR", at)
                continue
            if band is not None:
                return None  # the other band: one decoder cannot read both
        end = at + sizes[(data[at] >> 3) & 0x0F]
        if at < found < end and _whole_frames_after(data, found):
            pieces.append(data[start:at])  # the cut frame before the next file's header
            at = start = found
            continue
        at = end
        walked += 1
        if found < at:
            found = data.find(b"#!AMR", at)
    pieces.append(data[start:])
    return b"".join(pieces)


def _amr_header_at(data: bytes, at: int) -> bytes | None:
    for header in (AMR_NB_HEADER, AMR_WB_HEADER):
        if data.startswith(header, at):
            return header
    return None


def _whole_frames_after(data: bytes, at: int) -> bool:
    """Whether an AMR file header starts at ``at`` and whole, well-formed frames follow it
    to the end of ``data`` or the next header: a ToC byte has its padding bits clear (RFC
    4867's storage format) and the frames end exactly there, which bytes read out of step
    (sound that happens to hold a header's bytes) do not."""
    header = _amr_header_at(data, at)
    if header is None:
        return False
    sizes = _AMR_FRAME_BYTES[header]
    at += len(header)
    while at < len(data) and _amr_header_at(data, at) is None:
        if data[at] & 0x83:
            return False
        at += sizes[(data[at] >> 3) & 0x0F]
    return at <= len(data)


# WAV codecs that code samples in blocks of ``block align`` bytes: IMA ADPCM, Microsoft
# ADPCM and GSM 6.10 (Microsoft's WAV49), with the samples a block of ``align`` bytes holds
# for ``channels`` when the fmt chunk does not say (each channel's header, then 4 bits a
# sample for ADPCM; 320 samples in 65 bytes for GSM).
_WAV_BLOCK_SAMPLES: dict[int, Callable[[int, int], int]] = {
    0x0011: lambda align, channels: (align - 4 * channels) * 2 // channels + 1,
    0x0002: lambda align, channels: (align - 7 * channels) * 2 // channels + 2,
    0x0031: lambda align, channels: 320 if align == 65 else 0,
}


def wav_block_byte_rate(fmt: bytes) -> float | None:
    """The bytes per second of a block-coded WAV (ADPCM, GSM) by its fmt chunk body ``fmt``:
    rate x block align / samples per block (the extension's field, else the codec's
    layout), as a decoder reads it; None for other codecs or a layout that makes no sense.

    The header's byte rate field is only a writer's figure: FFmpeg writes 0 there for the
    ADPCM it encodes, which left a cut file with no length to be judged against."""
    if len(fmt) < 16:
        return None
    tag, channels, rate, _, align = (int(f) for f in struct.unpack_from("<HHIIH", fmt))
    layout = _WAV_BLOCK_SAMPLES.get(tag)
    if layout is None or not (channels and rate and align):
        return None
    extension = int.from_bytes(fmt[16:18], "little") if len(fmt) >= 20 else 0
    samples = int.from_bytes(fmt[18:20], "little") if extension >= 2 else 0
    samples = samples or layout(align, channels)
    return rate * align / samples if samples > 0 else None
