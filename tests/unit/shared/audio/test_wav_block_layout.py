"""ADPCM and GSM WAVs are measured by their block layout (block align, samples per block),
not by the header's byte rate field: FFmpeg writes 0 there for the ADPCM it encodes, which
left a cut file with no declared length to be judged against."""

from __future__ import annotations

import io
import struct

import av
import numpy as np
import pytest

from shared.audio import probe
from shared.errors import MediaRejected

RATE = 8000


def adpcm_wav(codec: str, seconds: float, channels: int = 1) -> bytes:
    """A tone encoded by FFmpeg (through PyAV) as ``codec`` in a WAV, as FFmpeg writes it."""
    buffer = io.BytesIO()
    layout = "mono" if channels == 1 else "stereo"
    with av.open(buffer, "w", format="wav") as out:
        stream = out.add_stream(codec, rate=RATE, layout=layout)
        t = np.arange(int(RATE * seconds)) / RATE
        tone = (3000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(np.repeat(tone, channels)[None, :], "s16", layout)
        frame.sample_rate = RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buffer.getvalue()


def gsm_wav(seconds: float, byte_rate: int) -> bytes:
    """A GSM 6.10 WAV made by hand from the format (65-byte blocks of 320 samples; every
    block decodes, GSM having no sync word): Microsoft's WAVEFORMATEX with samples per block."""
    blocks = int(seconds * RATE / 320)
    body = bytes(range(65)) * blocks
    fmt = struct.pack("<HHIIHHHH", 0x31, 1, RATE, byte_rate, 65, 0, 2, 320)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"data" + struct.pack("<I", len(body)) + body
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def byte_rate_field(data: bytes) -> int:
    return int(struct.unpack_from("<I", data, data.index(b"fmt ") + 16)[0])


@pytest.mark.parametrize(("codec", "channels"), [("adpcm_ima_wav", 1), ("adpcm_ms", 2)])
def test_a_cut_adpcm_wav_is_refused_as_truncated_by_its_block_layout(
    codec: str, channels: int
) -> None:
    whole = adpcm_wav(codec, 4.0, channels)
    assert byte_rate_field(whole) == 0  # as FFmpeg writes it
    intact = probe(whole).duration_s

    with pytest.raises(MediaRejected) as caught:
        probe(whole[: len(whole) // 2])

    assert caught.value.code == "truncated"
    assert f"announces {intact:.1f} s" in caught.value.message


@pytest.mark.parametrize("byte_rate", [0, 1625, 4000])
def test_a_gsm_wav_is_judged_by_its_blocks_whatever_its_byte_rate_field(byte_rate: int) -> None:
    whole = gsm_wav(4.0, byte_rate)  # 1,625 is the true 65 x 8000 / 320

    assert probe(whole).duration_s == pytest.approx(4.0)
    with pytest.raises(MediaRejected) as caught:
        probe(whole[: len(whole) // 2])
    assert caught.value.code == "truncated"
    assert "announces 4.0 s" in caught.value.message
