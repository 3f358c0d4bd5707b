"""Speech with OpenAI's audio API; long replies are spoken in parts and joined into one file."""

from __future__ import annotations

import codecs
import io
from functools import cached_property
from typing import Literal

import av
import numpy as np
import numpy.typing as npt
import openai

from shared.audio import AV_ERRORS, MEDIA_TYPES, encode_pcm, sniff_container
from shared.audio.containers import decoder_reason
from shared.errors import StageFailed
from shared.models import SynthesizedAudio
from shared.settings import OutputFormat
from shared.settings.providers import OpenAISettings
from shared.tts_voices import NEWER_VOICES, voices_of
from workers.providers.base import TtsProvider
from workers.providers.errors import ProviderError
from workers.providers.openai_client import make_client, malformed, openai_errors
from workers.providers.tts import text_parts
from workers.providers.tts.billing import CharacterBill


def input_limit(model: str) -> int:
    """Characters per request for ``model`` (read at call time: tests lower the limits)."""
    if model.startswith("gpt-"):
        return min(MAX_INPUT_CHARS, TOKEN_LIMITED_CHARS)
    return MAX_INPUT_CHARS


# The API refuses longer input with a 400.
MAX_INPUT_CHARS = 4096
# gpt-4o-mini-tts also refuses input over 2000 tokens ("Input of 2132 tokens is over the
# maximum input limit of 2000 tokens"): 4096 characters of English fit, of Japanese or Hindi
# not. A token is at least about a character in every script, so pieces of this size fit.
TOKEN_LIMITED_CHARS = 1500
# Our formats -> the API's response_format; "opus" comes back in an Ogg container.
SpeechFormat = Literal["mp3", "opus", "wav"]
RESPONSE_FORMATS: dict[OutputFormat, SpeechFormat] = {"mp3": "mp3", "ogg": "opus", "wav": "wav"}
_DEMUXERS: dict[OutputFormat, str] = {"mp3": "mp3", "ogg": "ogg", "wav": "wav"}


def split_text(text: str, limit: int = MAX_INPUT_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at sentences where they fit."""
    return text_parts.split_text(text, limit)


def decode_native(
    data: bytes, fmt: OutputFormat, rate: int | None = None
) -> tuple[npt.NDArray[np.int16], int]:
    """Mono int16 samples of a vendor answer in ``fmt``, at ``rate`` or the file's own rate.

    Joining parts needs their samples at full quality; decode_pcm16k would keep only 16 kHz.
    """
    found = sniff_container(data[:4096])
    if found != fmt:
        raise malformed(f"{found or 'no audio'} where {fmt} audio was asked for", _shape(data))
    chunks: list[npt.NDArray[np.int16]] = []
    try:
        with av.open(io.BytesIO(data), "r", format=_DEMUXERS[fmt]) as media:
            stream = media.streams.audio[0]
            rate = rate or int(stream.codec_context.sample_rate)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            for frame in [*media.decode(stream), None]:
                chunks.extend(out.to_ndarray()[0] for out in resampler.resample(frame))
    except AV_ERRORS as exc:
        raise malformed(f"{fmt} audio that does not decode", decoder_reason(exc)) from exc
    if not chunks or not rate:
        raise malformed(f"{fmt} audio without samples", f"{len(data)} bytes")
    return np.concatenate(chunks).astype(np.int16, copy=False), rate


def _shape(data: bytes) -> str:
    """What an answer that is not audio looks like, never what it says: a compatible server
    that echoes the request would put the reply's words (a customer's) into the job's error,
    which is stored and shown unredacted."""
    head = data[:4096]
    start = head.lstrip()[:1]
    if not data:
        kind = "an empty body"
    elif start in (b"{", b"["):
        kind = "JSON"
    elif start == b"<":
        kind = "HTML or XML"
    else:
        try:
            # Not final: the 4096 bytes may end inside a character.
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            kind = "text"
        except UnicodeDecodeError:
            kind = "binary data"
    return f"{kind}, {len(data)} bytes"


class OpenAITts(TtsProvider):
    name = "openai"

    def __init__(self, config: OpenAISettings) -> None:
        self.config = config

    @cached_property
    def client(self) -> openai.OpenAI:
        # Made on first use so that a worker without a key can still import and list us.
        return make_client(self.config)

    def voices(self) -> list[str]:
        return list(voices_of(self.config.tts_model))

    def synthesize(
        self, text: str, voice: str | None, output_format: OutputFormat
    ) -> SynthesizedAudio:
        if not text.strip():
            raise StageFailed("empty_text", "there is no text to speak")
        chosen = voice or self.config.tts_voice
        model = self.config.tts_model
        offered = voices_of(model)
        if chosen not in offered:
            newer = (
                f" ({chosen} is a gpt-4o-mini-tts voice: set VOICEPIPE_OPENAI__TTS_MODEL)"
                if chosen in NEWER_VOICES
                else ""
            )
            raise StageFailed(
                "unknown_voice",
                f"OpenAI {model} has no voice {chosen!r}{newer}; available: {', '.join(offered)}",
            )

        # A failed part fails the call; the retried task speaks every part again, which
        # keeps the stage stateless at the price of re-buying the parts already spoken
        # (their characters go with the failure, billed: CharacterBill).
        chunks = split_text(text, input_limit(self.config.tts_model))
        with CharacterBill(self.name, model).carried_on_failure() as bill:
            parts = [self._speak(chunk, chosen, output_format, bill) for chunk in chunks]
            if len(parts) == 1:
                data = parts[0]
                pcm, rate = decode_native(data, output_format)
            else:
                pcm, rate = decode_native(parts[0], output_format)
                # Later parts are brought to the first one's rate so the samples line up.
                rest = [decode_native(part, output_format, rate)[0] for part in parts[1:]]
                pcm = np.concatenate([pcm, *rest])
                data = encode_pcm(pcm, rate, output_format)

        return SynthesizedAudio(
            data=data,
            media_type=MEDIA_TYPES[output_format],
            extension=output_format,
            duration_s=len(pcm) / rate,
            provider=self.name,
            voice=chosen,
        )

    def _speak(
        self, chunk: str, voice: str, output_format: OutputFormat, bill: CharacterBill
    ) -> bytes:
        section = self.config
        answered = False
        try:
            with (
                openai_errors(),
                # Streamed so that the status is known before the body is read: the SDK
                # raises an error status itself, so inside, OpenAI has answered 2xx.
                self.client.audio.speech.with_streaming_response.create(
                    model=section.tts_model,
                    voice=voice,
                    input=chunk,
                    response_format=RESPONSE_FORMATS[output_format],
                    speed=section.tts_speed,
                ) as raw,
            ):
                answered = True
                bill.answered(chunk)
                return raw.read()
        except ProviderError as exc:
            if answered:  # still a connection's failure, tried again, but billed
                exc.message = (
                    f"OpenAI answered 2xx, but the answer broke off mid-read ({exc.__cause__})"
                )
                exc.args = (exc.message,)
            raise
