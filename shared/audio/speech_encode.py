"""Speech encoded in OpenAI's speech formats (mp3, opus, aac, flac, wav, pcm), whole or as a
stream fed sentence by sentence.

One encoder serves a whole response, so a streamed answer is one valid file (one mp3 or
ogg stream, one ADTS or FLAC stream) rather than a concatenation of little files; the bytes
each sentence adds are handed out as soon as the muxer writes them. WAV is written by hand
when streamed: its header states the data size, unknown until the end, so a streamed WAV
says "as long as it goes" (0xFFFFFFFF), as streaming servers do.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream

SpeechFormat = Literal["mp3", "opus", "aac", "flac", "wav", "pcm"]
SPEECH_FORMATS: tuple[SpeechFormat, ...] = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MEDIA_TYPES: dict[SpeechFormat, str] = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
# OpenAI's `pcm`: raw 24 kHz, 16-bit signed little-endian, mono, no header; its `wav` is
# the same samples behind a header, so ours are at 24 kHz too whatever the voice's rate.
PCM_RATE = 24_000


@dataclass(frozen=True)
class _Codec:
    muxer: str
    codec: str
    sample_format: str
    bit_rate: int | None
    rate: int


_CODECS: dict[SpeechFormat, _Codec] = {
    "mp3": _Codec("mp3", "libmp3lame", "s16p", 64_000, PCM_RATE),
    # Opus runs at 48 kHz in every player's eyes.
    "opus": _Codec("ogg", "libopus", "s16", 32_000, 48_000),
    "aac": _Codec("adts", "aac", "fltp", 64_000, PCM_RATE),
    "flac": _Codec("flac", "flac", "s16", None, PCM_RATE),
}


class SpeechEncoder:
    """Feed int16 mono samples (any rate, the same for every call); take the bytes made."""

    def __init__(self, fmt: SpeechFormat, *, streamed: bool) -> None:
        self.fmt = fmt
        self._streamed = streamed
        self._buffer = io.BytesIO()
        self._sent = 0
        self._pts = 0
        self._raw = fmt in ("wav", "pcm")
        self._header_due = fmt == "wav"
        self._rate: int | None = None
        if not self._raw:
            codec = _CODECS[fmt]
            self._media = av.open(self._buffer, "w", format=codec.muxer)
            stream = self._media.add_stream(codec.codec, rate=codec.rate, layout="mono")
            if not isinstance(stream, AudioStream):  # pragma: no cover - FFmpeg's own codecs
                raise TypeError(f"{codec.codec} is not an audio encoder")
            if codec.bit_rate is not None:
                stream.codec_context.bit_rate = codec.bit_rate
            self._stream = stream
            self._resampler = av.AudioResampler(
                format=codec.sample_format, layout="mono", rate=codec.rate
            )

    def feed(self, pcm: npt.NDArray[np.int16], sample_rate: int) -> bytes:
        """The bytes these samples add (a streamed encoder may hold back a codec frame)."""
        if self._rate not in (None, sample_rate):
            raise ValueError(f"one rate per stream: {self._rate} Hz, then {sample_rate} Hz")
        self._rate = sample_rate
        if not len(pcm):
            # FFmpeg cannot allocate a frame of no samples (av's MemoryError): a voice that
            # made no sound of a sentence adds nothing, and the file stays valid.
            return b""
        if self._raw:
            return self._raw_bytes(pcm, sample_rate)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = sample_rate
        frame.pts = self._pts
        frame.time_base = Fraction(1, sample_rate)
        self._pts += len(pcm)
        for chunk in self._resampler.resample(frame):
            self._media.mux(self._stream.encode(chunk))
        return self._new_bytes()

    def close(self) -> bytes:
        """The rest: the encoder's last frames and the container's trailer."""
        if self._raw:
            if self._header_due:  # nothing was fed: an empty but valid file
                return self._wav_header(PCM_RATE, 0)
            return b""
        # Headers the muxer writes at its first packet, so that a stream nothing was fed is
        # still a file of its format: Ogg's pages naming Opus, FLAC's stream info.
        self._media.start_encoding()
        for chunk in self._resampler.resample(None):
            self._media.mux(self._stream.encode(chunk))
        self._media.mux(self._stream.encode(None))
        self._media.close()
        if not self._streamed:
            # Whole files get the header the muxer rewrote at the end (FLAC's sample count).
            return self._buffer.getvalue()
        return self._new_bytes()

    def _new_bytes(self) -> bytes:
        if not self._streamed:
            return b""
        data = self._buffer.getbuffer()[self._sent :].tobytes()
        self._sent += len(data)
        return data

    def _raw_bytes(self, pcm: npt.NDArray[np.int16], sample_rate: int) -> bytes:
        samples = np.ascontiguousarray(pcm, dtype=np.int16)
        if sample_rate != PCM_RATE:
            samples = _resampled(samples, sample_rate, PCM_RATE)
        body = samples.astype("<i2").tobytes()
        if self._header_due:
            self._header_due = False
            size = 0xFFFFFFFF if self._streamed else len(body)
            return self._wav_header(PCM_RATE, size) + body
        return body

    @staticmethod
    def _wav_header(rate: int, data_size: int) -> bytes:
        riff = 0xFFFFFFFF if data_size == 0xFFFFFFFF else 36 + data_size
        return (
            b"RIFF"
            + struct.pack("<I", riff)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
            + b"data"
            + struct.pack("<I", data_size)
        )


def encode_speech(pcm: npt.NDArray[np.int16], sample_rate: int, fmt: SpeechFormat) -> bytes:
    """A whole file of ``pcm`` in ``fmt``."""
    encoder = SpeechEncoder(fmt, streamed=False)
    head = encoder.feed(pcm, sample_rate)
    return head + encoder.close()


def _resampled(samples: npt.NDArray[np.int16], rate: int, target: int) -> npt.NDArray[np.int16]:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=target)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    out = [*resampler.resample(frame), *resampler.resample(None)]
    if not out:
        return np.zeros(0, dtype=np.int16)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in out]).astype(np.int16)


def decode_speech(data: bytes) -> tuple[npt.NDArray[np.int16], int]:
    """Int16 mono samples of a synthesised reply, at the rate it was made at."""
    with av.open(io.BytesIO(data), "r") as media:
        stream = media.streams.audio[0]
        rate = stream.codec_context.sample_rate or PCM_RATE
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        pieces = [
            out.to_ndarray().reshape(-1)
            for frame in media.decode(stream)
            for out in resampler.resample(frame)
        ]
        pieces += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    return samples.astype(np.int16, copy=False), rate
