"""Encoding int16 mono speech into the reply formats (mp3, ogg/opus, wav)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream
from av.container import OutputContainer


@dataclass(frozen=True)
class _Encoder:
    muxer: str
    codec: str
    sample_format: str
    bit_rate: int | None
    # None keeps the caller's rate when the encoder takes it.
    rate: int | None = None


_ENCODERS: dict[str, _Encoder] = {
    # Mono speech: 64 kbit/s mp3 and 32 kbit/s opus are transparent enough and stay small.
    "mp3": _Encoder("mp3", "libmp3lame", "s16p", 64000),
    # Opus only runs at 48/24/16/12/8 kHz; 48 kHz is what every player expects from ogg/opus.
    "ogg": _Encoder("ogg", "libopus", "s16", 32000, rate=48000),
    "wav": _Encoder("wav", "pcm_s16le", "s16", None),
}


def encode_pcm(pcm: npt.NDArray[np.int16], sample_rate: int, fmt: str) -> bytes:
    """Encode int16 mono samples as a complete ``fmt`` file (mp3, ogg/opus or wav)."""
    encoder = _ENCODERS.get(fmt)
    if encoder is None:
        raise ValueError(f"cannot encode {fmt!r}: choose one of {', '.join(_ENCODERS)}")
    samples = np.asarray(pcm)
    if samples.dtype != np.int16 or samples.ndim != 1:
        raise ValueError(f"expected 1-D int16 samples, got {samples.ndim}-D {samples.dtype}")
    if samples.size == 0:
        # An MP3 of no frames is just a tag no decoder opens; silence must be explicit.
        raise ValueError("no samples to encode")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    out_rate = _output_rate(encoder, sample_rate)

    return encode_with(
        samples, sample_rate, encoder.muxer, encoder.codec, encoder.sample_format,
        encoder.bit_rate, out_rate,
    )  # fmt: skip


def encode_with(
    samples: npt.NDArray[np.int16],
    sample_rate: int,
    muxer: str,
    codec: str,
    sample_format: str,
    bit_rate: int | None,
    out_rate: int,
) -> bytes:
    """Int16 mono samples encoded by any FFmpeg audio encoder at ``out_rate`` (resampled on
    the way): the reply formats above, and the telephone formats the evaluation set uses."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=muxer) as media:
        stream = _add_audio_stream(media, codec, out_rate)
        if bit_rate is not None:
            stream.codec_context.bit_rate = bit_rate
        resampler = av.AudioResampler(format=sample_format, layout="mono", rate=out_rate)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = sample_rate
        frame.pts = 0
        frame.time_base = Fraction(1, sample_rate)
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            media.mux(stream.encode(chunk))
        media.mux(stream.encode(None))
    return buffer.getvalue()


def _add_audio_stream(media: OutputContainer, codec: str, rate: int) -> AudioStream:
    stream = media.add_stream(codec, rate=rate, layout="mono")
    if not isinstance(stream, AudioStream):
        raise TypeError(f"{codec} is not an audio encoder")
    return stream


def _output_rate(encoder: _Encoder, sample_rate: int) -> int:
    if encoder.rate is not None:
        return encoder.rate
    rates = av.codec.Codec(encoder.codec, "w").audio_rates
    if not rates or sample_rate in rates:
        return sample_rate
    # The nearest rate above keeps every frequency the input had.
    higher = [rate for rate in rates if rate >= sample_rate]
    return min(higher) if higher else max(rates)
