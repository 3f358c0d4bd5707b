"""16-bit PCM WAV read straight from its bytes, for the stt stage's decode.

Through FFmpeg, a WAV of 1 s took 0.72 ms to become 16 kHz samples: the container opened,
then 17 packets decoded and resampled one at a time. Its samples are already there in the
file. Here the RIFF chunks are walked by hand and the samples are read from the bytes;
16 kHz mono is handed on as it is (FFmpeg's answer for it is the same samples), and any
other rate or layout goes through FFmpeg's resampler in a few large pieces. Anything else
(mu-law, float, 24-bit, an odd header) returns None, and the caller decodes through FFmpeg
as before, with its errors and messages.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import av
import numpy as np
import numpy.typing as npt

_PCM = 1
_EXTENSIBLE = 0xFFFE
# KSDATAFORMAT_SUBTYPE_PCM: the format tag of an extensible header's sub-format GUID.
_PCM_GUID_TAIL = bytes.fromhex("000000001000800000aa00389b71")
_LAYOUTS = {1: "mono", 2: "stereo"}
# Frames per call to the resampler. A minute at 22.05 kHz took 48 ms in pieces of 1,024,
# 15 ms in one piece and 3.5 ms in pieces of 65,536 samples (FFmpeg's own path: 12.9 ms).
_CHUNK_FRAMES = 32_768


@dataclass(frozen=True)
class PcmWav:
    samples: npt.NDArray[np.int16]  # interleaved, a read-only view of the file's bytes
    rate: int
    channels: int


def read_pcm16_wav(data: bytes) -> PcmWav | None:
    """The samples of a 16-bit PCM WAV of one or two channels, or None for anything else.

    A data chunk that claims more bytes than the file holds (a cut upload, or a writer
    that streamed and never went back to fill in sizes) is read to the last whole frame,
    as FFmpeg's demuxer does; so is one that claims 0 bytes, which such writers leave too
    and which FFmpeg (so intake's probe) reads to the file's end.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    at, fmt = 12, None
    while at + 8 <= len(data):
        chunk, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = at + 8
        if chunk == b"fmt ":
            fmt = _format(data[body : body + size])
            if fmt is None:
                return None
        elif chunk == b"data":
            if fmt is None:
                return None
            rate, channels = fmt
            end = min(len(data), body + size) if size else len(data)
            frames = (end - body) // (2 * channels)
            samples = np.frombuffer(data, dtype="<i2", count=frames * channels, offset=body)
            return PcmWav(samples, rate, channels)
        at = body + size + (size & 1)  # chunks are padded to an even length
    return None


def _format(fmt: bytes) -> tuple[int, int] | None:
    if len(fmt) < 16:
        return None
    tag, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE:
        if len(fmt) < 40 or fmt[26:40] != _PCM_GUID_TAIL:
            return None
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if tag != _PCM or bits != 16 or channels not in _LAYOUTS or align != 2 * channels:
        return None
    if not 1000 <= rate <= 384_000:
        return None
    return rate, channels


def to_speech_rate(wav: PcmWav, rate: int) -> npt.NDArray[np.int16]:
    """``wav`` as mono int16 at ``rate``: the samples as they are where they already are,
    else through FFmpeg's resampler (the one the decoder path uses)."""
    if wav.channels == 1 and wav.rate == rate:
        # A copy, as the decoder path gives: callers may write to it (redaction's silence).
        return wav.samples.astype(np.int16)
    if wav.samples.size == 0:
        return np.zeros(0, dtype=np.int16)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    layout, step = _LAYOUTS[wav.channels], _CHUNK_FRAMES * wav.channels
    chunks: list[npt.NDArray[np.int16]] = []
    for start in range(0, wav.samples.size, step):
        piece = wav.samples[start : start + step].reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(piece, format="s16", layout=layout)
        frame.sample_rate = wav.rate
        chunks += [out.to_ndarray()[0] for out in resampler.resample(frame)]
    chunks += [out.to_ndarray()[0] for out in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.int16, copy=False) if chunks else wav.samples[:0]
