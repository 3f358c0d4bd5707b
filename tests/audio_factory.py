"""Audio built in memory with PyAV, for tests of every tier.

Everything here is deterministic and made from scratch, so no test depends on files from
elsewhere. ``encode`` deliberately does not use :mod:`shared.audio`, so that the code under
test is checked against an independent encoder.
"""

from __future__ import annotations

import io
import json
import math
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
import numpy.typing as npt
import pytest
from av.audio.stream import AudioStream
from av.container import OutputContainer

AudioFormat = Literal["wav", "mp3", "ogg", "webm", "flac", "m4a", "aac", "amr", "3gp"]
ALL_FORMATS: tuple[AudioFormat, ...] = (
    *("wav", "mp3", "ogg", "webm", "flac", "m4a", "aac"),
    *("amr", "3gp"),
)


@dataclass(frozen=True)
class Recipe:
    """How one input format is muxed and encoded."""

    muxer: str
    codec: str
    sample_format: str
    # None keeps the caller's rate; otherwise the only rates the encoder takes, first preferred.
    rates: tuple[int, ...] | None = None
    options: tuple[tuple[str, str], ...] = ()
    # The codec takes one channel only (AMR); more are mixed down by the resampler.
    mono: bool = False


RECIPES: dict[AudioFormat, Recipe] = {
    "wav": Recipe("wav", "pcm_s16le", "s16"),
    "mp3": Recipe("mp3", "libmp3lame", "s16p"),
    "ogg": Recipe("ogg", "libopus", "s16", rates=(48000, 24000, 16000, 12000, 8000)),
    "webm": Recipe("webm", "libopus", "s16", rates=(48000, 24000, 16000, 12000, 8000)),
    "flac": Recipe("flac", "flac", "s16"),
    # The index (moov) lands after the samples: +faststart needs a reopenable file, not BytesIO.
    "m4a": Recipe("ipod", "aac", "fltp"),
    "aac": Recipe("adts", "aac", "fltp"),
    # AMR narrow band only: the wheels' FFmpeg decodes wide band but cannot encode it.
    "amr": Recipe("amr", "libopencore_amrnb", "s16", rates=(8000,), mono=True),
    "3gp": Recipe("3gp", "libopencore_amrnb", "s16", rates=(8000,), mono=True),
}


def tone(seconds: float, rate: int = 16000, *, seed: int = 0) -> npt.NDArray[np.int16]:
    """Mono int16 samples: a few mixed sines under a syllable-like envelope, never silent."""
    count = round(seconds * rate)
    t = np.arange(count, dtype=np.float64) / rate
    base = 110.0 + 20.0 * seed
    signal = (
        0.5 * np.sin(2 * math.pi * base * t)
        + 0.3 * np.sin(2 * math.pi * base * 2.7 * t)
        + 0.2 * np.sin(2 * math.pi * base * 6.1 * t)
    )
    # 4 Hz is close to the syllable rate of speech; the floor keeps every frame audible.
    envelope = 0.6 + 0.4 * np.sin(2 * math.pi * 4.0 * t)
    return (signal * envelope * 0.5 * 32767).astype(np.int16)


def silence(seconds: float, rate: int = 16000) -> npt.NDArray[np.int16]:
    return np.zeros(round(seconds * rate), dtype=np.int16)


def encode_samples(
    samples: npt.NDArray[np.int16],
    fmt: AudioFormat,
    rate: int,
    channels: int = 1,
    *,
    recipe: Recipe | None = None,
) -> bytes:
    """Encode int16 samples of shape (n,) or (channels, n) into ``fmt`` (or ``recipe``)."""
    recipe = recipe or RECIPES[fmt]
    planar = samples.reshape(1, -1) if samples.ndim == 1 else samples
    if planar.shape[0] != channels:
        planar = np.repeat(planar[:1], channels, axis=0)
    layout = "mono" if channels == 1 else "stereo"
    out_layout = "mono" if recipe.mono else layout
    out_rate = rate if recipe.rates is None or rate in recipe.rates else recipe.rates[0]

    buffer = io.BytesIO()
    with av.open(buffer, "w", format=recipe.muxer, options=dict(recipe.options)) as container:
        stream = audio_stream(container, recipe.codec, out_rate, out_layout)
        resampler = av.AudioResampler(format=recipe.sample_format, layout=out_layout, rate=out_rate)
        # Packed s16 holds channels interleaved in one row, which is what from_ndarray expects.
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(planar.T).reshape(1, -1), format="s16", layout=layout
        )
        frame.sample_rate = rate
        frame.pts = 0
        frame.time_base = Fraction(1, rate)
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(converted))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def encode(
    fmt: AudioFormat, seconds: float, *, rate: int = 16000, channels: int = 1, seed: int = 0
) -> bytes:
    """A ``seconds`` long tone encoded as ``fmt``."""
    return encode_samples(tone(seconds, rate, seed=seed), fmt, rate, channels)


def mp3_without_id3(seconds: float, *, rate: int = 16000) -> bytes:
    """An MP3 that starts straight with a frame, as many encoders and phones write it."""
    recipe = Recipe("mp3", "libmp3lame", "s16p", options=(("id3v2_version", "0"),))
    return encode_samples(tone(seconds, rate), "mp3", rate, recipe=recipe)


def truncated(fmt: AudioFormat, keep_bytes: int | float, seconds: float = 4.0) -> bytes:
    """A ``seconds`` long file cut after ``keep_bytes`` bytes (or that fraction of its size)."""
    data = encode(fmt, seconds)
    keep = int(len(data) * keep_bytes) if isinstance(keep_bytes, float) else keep_bytes
    return data[:keep]


def wav_with_unknown_length(seconds: float = 2.0) -> bytes:
    """A WAV whose sizes say 0xFFFFFFFF, as streaming recorders write before they know."""
    data = bytearray(encode("wav", seconds))
    data[4:8] = b"\xff\xff\xff\xff"
    marker = data.index(b"data", 12)
    data[marker + 4 : marker + 8] = b"\xff\xff\xff\xff"
    return bytes(data)


def wav_with_channels(channels: int, seconds: float = 1.0, rate: int = 16000) -> bytes:
    """A 16-bit PCM WAV with the tone on each of ``channels`` channels (more than stereo:
    PyAV's layouts stop at named ones, the wave module does not)."""
    frames = np.repeat(tone(seconds, rate)[:, None], channels, axis=1)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return buffer.getvalue()


def corrupted(data: bytes, *, count: int = 64, seed: int = 0) -> bytes:
    """``data`` with ``count`` random bytes overwritten past its first quarter (the headers)."""
    rng = np.random.default_rng(seed)
    damaged = bytearray(data)
    positions = rng.integers(len(data) // 4, len(data), count)
    for position, value in zip(positions, rng.integers(0, 256, count), strict=True):
        damaged[int(position)] = int(value)
    return bytes(damaged)


def video_without_audio(frames: int = 10) -> bytes:
    """An mp4 holding only a small mpeg4 video stream."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width = 64
        stream.height = 48
        stream.pix_fmt = "yuv420p"
        for index in range(frames):
            pixels = np.full((48, 64, 3), (index * 20) % 256, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def matroska_with_codec(codec: str = "mp2", seconds: float = 1.0) -> bytes:
    """A Matroska (same magic as webm) file whose audio codec webm does not allow."""
    buffer = io.BytesIO()
    rate = 16000
    with av.open(buffer, "w", format="matroska") as container:
        stream = audio_stream(container, codec, rate, "mono")
        formats = av.codec.Codec(codec, "w").audio_formats
        sample_format = formats[0].name if formats else "s16"
        resampler = av.AudioResampler(format=sample_format, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(tone(seconds, rate).reshape(1, -1), layout="mono")
        frame.sample_rate = rate
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(converted))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def audio_stream(container: OutputContainer, codec: str, rate: int, layout: str) -> AudioStream:
    stream = container.add_stream(codec, rate=rate, layout=layout)
    if not isinstance(stream, AudioStream):
        raise TypeError(f"{codec} is not an audio encoder")
    return stream


def text_as_wav() -> bytes:
    """Plain text, as if someone renamed notes.txt to voicemail.wav."""
    return b"Hi, please call me back about the invoice. Thanks!\n" * 20


def random_bytes(n: int, seed: int = 0) -> bytes:
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def with_magic(magic: bytes, n: int = 4096, seed: int = 0) -> bytes:
    """Random bytes behind a real container's magic, so only the demuxer can refuse them."""
    return magic + random_bytes(n, seed)


# The real speech clips beside the checkout (../shared/audio); tests skip where it is absent.
SHARED_AUDIO = Path(__file__).resolve().parents[1].parent / "shared" / "audio"


def shared_wav_clips() -> list[dict[str, Any]]:
    """The manifest entries of the shared WAV clips, or a skip when the folder is absent."""
    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"real clips live beside the project in {SHARED_AUDIO}")
    manifest: list[dict[str, Any]] = json.loads((SHARED_AUDIO / "manifest.json").read_text())
    return [clip for clip in manifest if clip["file"].endswith(".wav")]
