"""Decoding a recording to what the speech engines take: 16 kHz mono int16."""

from __future__ import annotations

from collections.abc import Iterator

import av
import numpy as np
import numpy.typing as npt
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.container import InputContainer

from shared.audio.containers import (
    AV_ERRORS,
    CONTAINERS,
    audio_stream,
    open_media,
    sniff_or_reject,
    undecodable,
)
from shared.audio.wav_pcm import read_pcm16_wav, to_speech_rate

SPEECH_RATE = 16000


def decode_pcm16k(data: bytes) -> npt.NDArray[np.int16]:
    """The first audio stream as int16 mono samples at 16 kHz, what speech engines take."""
    container = sniff_or_reject(data)
    wav = read_pcm16_wav(data) if container == "wav" else None
    if wav is not None:
        return to_speech_rate(wav, SPEECH_RATE)
    return decode_with_ffmpeg(data, container)


def decode_with_ffmpeg(data: bytes, container: str) -> npt.NDArray[np.int16]:
    """decode_pcm16k through FFmpeg's decoder, packet by packet (every format but 16-bit
    PCM WAV; kept callable so that the WAV reader can be checked against it)."""
    chunks: list[npt.NDArray[np.int16]] = []
    try:
        with open_media(data, container) as media:
            stream = audio_stream(media, container)
            chunks.extend(_speech_samples(_frames(media, stream)))
    except AV_ERRORS as exc:
        raise undecodable(CONTAINERS[container], exc) from exc
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    # One copy at the end instead of growing an array per frame.
    return np.concatenate(chunks).astype(np.int16, copy=False)


def _frames(media: InputContainer, stream: AudioStream) -> Iterator[AudioFrame]:
    """The stream's decoded frames; a decoder error on the very last packet just ends them.

    A file cut mid-frame (FLAC, AAC) ends in half a packet the decoder refuses, where cut WAV,
    MP3 and Ogg files simply end: both are then judged by their length, not by the error.
    An error with packets still to come is real damage and propagates.
    """
    packets = media.demux(stream)
    mp3 = stream.codec_context.name in ("mp3", "mp3float")
    for packet in packets:
        # Joined MP3 files keep each part's ID3v2 tag, which the demuxer hands on as a
        # packet: a tag, not damage, and the decoder refuses it.
        if mp3 and bytes(memoryview(packet)[:3]) == b"ID3":
            continue
        try:
            frames = stream.decode(packet)
        except AV_ERRORS:
            # Demuxing ends with empty flush packets; any data after this one means damage.
            if any(later.size for later in packets):
                raise
            return
        yield from frames


def _speech_samples(frames: Iterator[AudioFrame]) -> Iterator[npt.NDArray[np.int16]]:
    """16 kHz mono int16 chunks of ``frames``, whose rate or layout may change mid-stream."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
    shape: tuple[int, str, str] | None = None
    for frame in frames:
        current = (frame.sample_rate, frame.layout.name, frame.format.name)
        # A PyAV resampler refuses frames unlike its first; MP3 and AAC may switch rate.
        if shape is not None and current != shape:
            yield from _first_plane(resampler.resample(None))
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
        shape = current
        yield from _first_plane(resampler.resample(frame))
    yield from _first_plane(resampler.resample(None))


def _first_plane(frames: list[AudioFrame]) -> Iterator[npt.NDArray[np.int16]]:
    # Packed mono s16 comes out as shape (1, samples).
    return (frame.to_ndarray()[0] for frame in frames)
