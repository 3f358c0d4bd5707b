"""ElevenLabs' text-to-speech API on localhost, speaking with the offline piper voice.

Answers what :class:`~workers.providers.tts.elevenlabs.ElevenLabsTts` sends, in the vendor's
shapes: audio bytes in the requested ``output_format`` (real mp3, raw little-endian PCM, raw
G.711 μ-law) with a ``request-id`` header, and ``{"detail": {"status", "message"}}`` errors
(or the current ``{"detail": {"code", "message", "request_id"}}``).

Run alone: ``python -m tests.fakes elevenlabs --port 8124 --failure-rate 0.1``.
"""

from __future__ import annotations

import io
import re
import threading
import uuid
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from shared.audio import encode_pcm
from tests.fakes.server import FakeServer, Fault, json_fault

API_KEY = "el-test"
FORMAT_PATTERN = re.compile(r"^(?P<codec>[a-z0-9]+)_(?P<rate>\d+)(?:_(?P<bitrate>\d+))?$")
# What this fake can produce; the real API also knows alaw and opus.
MEDIA_TYPES = {"mp3": "audio/mpeg", "pcm": "audio/pcm", "ulaw": "audio/basic"}
# Characters per request by model, as the real API enforces them (its help centre; eleven_v3
# from its API docs); a longer text is a 400 max_character_limit_exceeded.
CHARACTER_LIMITS = {
    "eleven_v3": 3_000,
    "eleven_multilingual_v2": 10_000,
    "eleven_flash_v2_5": 40_000,
    "eleven_turbo_v2_5": 40_000,
}
# Request stitching (PROVIDERS.md): the text around a request and the ids of up to three
# earlier ones it continues. Not for eleven_v3: this fake refuses them there with a 400, so
# a client that sends them anyway is caught.
STITCHING_FIELDS = ("previous_text", "next_text", "previous_request_ids")
MAX_PREVIOUS_REQUEST_IDS = 3
DEFAULT_KINDS = {
    400: "invalid_request",
    401: "invalid_api_key",
    404: "voice_not_found",
    422: "validation_error",
    429: "too_many_concurrent_requests",
    500: "internal_server_error",
    503: "service_unavailable",
}


@dataclass(frozen=True)
class FakeVoice:
    voice_id: str
    name: str
    category: str = "premade"


VOICES = (
    FakeVoice("21m00Tcm4TlvDq8ikWAM", "Rachel"),  # ElevenLabsSettings.voice_id default
    FakeVoice("AZnzlk1XvdvUeBnXmlld", "Domi"),
    FakeVoice("pNInz6obpgDQGcFmaJgB", "Adam"),
)


class PiperSpeech:
    """The offline voice as raw samples at any rate, cached per sentence.

    Long test texts repeat one sentence; caching per sentence keeps them fast to fake.
    """

    def __init__(self) -> None:
        self._cache: dict[str, tuple[npt.NDArray[np.int16], int]] = {}
        self._lock = threading.Lock()

    def pcm(self, text: str, rate: int) -> npt.NDArray[np.int16]:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        parts = [self._resample(*self._sentence(s), rate) for s in sentences]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def _sentence(self, sentence: str) -> tuple[npt.NDArray[np.int16], int]:
        with self._lock:
            cached = self._cache.get(sentence)
        if cached is not None:
            return cached
        # Imported here so that the fake's module imports cheaply (the voice is ~240 MB).
        from workers.providers.tts.local import PiperTts

        wav = PiperTts().synthesize(sentence, None, "wav").data
        with wave.open(io.BytesIO(wav)) as reader:
            rate = reader.getframerate()
            samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
        with self._lock:
            self._cache[sentence] = (samples, rate)
        return samples, rate

    @staticmethod
    def _resample(samples: npt.NDArray[np.int16], rate: int, target: int) -> npt.NDArray[np.int16]:
        if rate == target or samples.size == 0:
            return samples
        # Linear interpolation: crude, but a fake only needs audio of the right length.
        count = max(1, round(samples.size * target / rate))
        positions = np.linspace(0, samples.size - 1, count)
        return np.interp(positions, np.arange(samples.size), samples).astype(np.int16)


def ulaw_encode(pcm: npt.NDArray[np.int16]) -> bytes:
    """G.711 μ-law, as telephone networks (and ElevenLabs' ``ulaw_8000``) carry speech."""
    samples = pcm.astype(np.int32)
    sign = np.where(samples < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(samples), 32635) + 0x84
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    codes: npt.NDArray[np.uint8] = (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)
    return codes.tobytes()


class ElevenLabsFake(FakeServer):
    vendor = "elevenlabs"

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        voices: tuple[FakeVoice, ...] = VOICES,
        failure_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.api_key = api_key
        self.voices = voices
        self.speech = PiperSpeech()
        # The request-id of every speech answered, in order, for previous_request_ids.
        self.request_ids: list[str] = []
        super().__init__(failure_rate=failure_rate, seed=seed)

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.request_ids.clear()

    def routes(self, app: FastAPI) -> None:
        @app.get("/v1/voices")
        async def list_voices(request: Request) -> Response:
            if (denied := self._check_key(request)) is not None:
                return denied
            return JSONResponse(
                {
                    "voices": [
                        {"voice_id": v.voice_id, "name": v.name, "category": v.category}
                        for v in self.voices
                    ]
                }
            )

        @app.post("/v1/text-to-speech/{voice_id}")
        def text_to_speech(voice_id: str, request: Request, payload: dict[str, Any]) -> Response:
            return self._speak(voice_id, request, payload, stream=False)

        @app.post("/v1/text-to-speech/{voice_id}/stream")
        def text_to_speech_stream(
            voice_id: str, request: Request, payload: dict[str, Any]
        ) -> Response:
            return self._speak(voice_id, request, payload, stream=True)

    def _check_key(self, request: Request) -> Response | None:
        if request.headers.get("xi-api-key") == self.api_key:
            return None
        return self._answer(self.error(401, message="Invalid API key"))

    def _speak(
        self, voice_id: str, request: Request, payload: dict[str, Any], *, stream: bool
    ) -> Response:
        if (denied := self._check_key(request)) is not None:
            return denied
        if voice_id not in {v.voice_id for v in self.voices}:
            return self._answer(
                self.error(404, message=f"A voice with id {voice_id} was not found.")
            )
        text = payload.get("text")
        if not isinstance(text, str) or not text:
            # FastAPI's own validation shape, as the real API answers a missing field.
            return JSONResponse(
                {"detail": [{"type": "missing", "loc": ["body", "text"], "msg": "Field required"}]},
                status_code=422,
            )
        limit = CHARACTER_LIMITS.get(str(payload.get("model_id") or "eleven_multilingual_v2"))
        if limit is not None and len(text) > limit:
            message = (
                f"This request's text has {len(text)} characters and exceeds the character "
                f"limit of {limit} characters for this model."
            )
            return self._answer(self.error(400, "max_character_limit_exceeded", message=message))
        if (refused := self._stitching_problem(payload)) is not None:
            return self._answer(self.error(400, "invalid_request", message=refused))
        output_format = request.query_params.get("output_format", "mp3_44100_128")
        match = FORMAT_PATTERN.match(output_format)
        if match is None or match["codec"] not in MEDIA_TYPES:
            return self._answer(
                self.error(
                    400, "invalid_output_format", message=f"bad output_format {output_format!r}"
                )
            )
        codec, rate = match["codec"], int(match["rate"])
        if codec == "ulaw" and rate != 8000:
            return self._answer(self.error(400, "invalid_output_format", message="ulaw is 8000 Hz"))
        audio = self._render(text, codec, rate)
        headers = {"request-id": uuid.uuid4().hex}
        with self._lock:
            self.request_ids.append(headers["request-id"])
        if stream:
            chunks = (audio[i : i + 4096] for i in range(0, len(audio), 4096))
            return StreamingResponse(chunks, media_type=MEDIA_TYPES[codec], headers=headers)
        return Response(audio, media_type=MEDIA_TYPES[codec], headers=headers)

    def _stitching_problem(self, payload: dict[str, Any]) -> str | None:
        given = [name for name in STITCHING_FIELDS if payload.get(name) is not None]
        if not given:
            return None
        if str(payload.get("model_id") or "").startswith("eleven_v3"):
            return f"{', '.join(given)} is not supported by eleven_v3"
        for name in ("previous_text", "next_text"):
            if not isinstance(payload.get(name) or "", str):
                return f"{name} must be a string"
        ids = payload.get("previous_request_ids") or []
        if not isinstance(ids, list) or len(ids) > MAX_PREVIOUS_REQUEST_IDS:
            return f"previous_request_ids takes at most {MAX_PREVIOUS_REQUEST_IDS} request ids"
        return None

    def _render(self, text: str, codec: str, rate: int) -> bytes:
        pcm = self.speech.pcm(text, rate)
        if codec == "mp3":
            return encode_pcm(pcm, rate, "mp3")
        if codec == "ulaw":
            return ulaw_encode(pcm)
        return pcm.astype("<i2").tobytes()

    @staticmethod
    def _answer(fault: Fault) -> Response:
        return Response(
            fault.body, fault.status, headers=fault.headers, media_type=fault.content_type
        )

    def error(
        self,
        status: int,
        kind: str | None = None,
        *,
        retry_after: float | None = None,
        message: str | None = None,
        legacy: bool = True,
    ) -> Fault:
        """An error answer; ``legacy=False`` gives the current shape, whose ``code`` replaces
        ``status`` (no longer used, the vendor's error reference says)."""
        status_kind = kind or DEFAULT_KINDS.get(status, "error")
        detail = {"message": message or f"fake {status_kind}"}
        if legacy:
            detail["status"] = status_kind
        else:
            detail.update(code=status_kind, request_id=uuid.uuid4().hex)
        return json_fault(status, {"detail": detail}, retry_after=retry_after)

    def transient_errors(self) -> list[Fault]:
        return [
            self.error(429, "too_many_concurrent_requests", retry_after=0.2),
            self.error(429, "system_busy", retry_after=0.2),
            self.error(429, "concurrent_limit_exceeded", retry_after=0.2, legacy=False),
            self.error(500),
            self.error(503),
            self.timeout(),
        ]
