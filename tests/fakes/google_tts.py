"""Google Cloud Text-to-Speech's REST API on localhost, speaking with the offline piper voice.

Serves what ``TextToSpeechClient`` with the REST transport calls: ``POST /v1/text:synthesize``
answering ``{"audioContent": base64}`` (MP3, OGG_OPUS or LINEAR16 as a WAV file with its
header, as Google sends it) and ``GET /v1/voices``; errors are Google's
``{"error": {"code", "message", "status"}}``. Input over 5,000 bytes is refused as Google does.
``POST /token`` plays Google's OAuth 2.0 token endpoint, for credentials that refresh.

Run alone: ``python -m tests.fakes google --port 8125 --failure-rate 0.1``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from shared.audio import encode_pcm
from tests.fakes.elevenlabs import PiperSpeech
from tests.fakes.server import FakeServer, Fault, json_fault

MAX_INPUT_BYTES = 5000
ACCESS_TOKEN = "ya29.fake-access-token"
SAMPLE_RATE = 24000  # Neural2 voices' natural rate
# The REST transport may send enums as names or as numbers (google.cloud.texttospeech).
ENCODINGS: dict[str | int, str] = {1: "LINEAR16", 2: "MP3", 3: "OGG_OPUS"}
ENCODINGS.update({name: name for name in ("LINEAR16", "MP3", "OGG_OPUS")})
_CONTAINER = {"LINEAR16": "wav", "MP3": "mp3", "OGG_OPUS": "ogg"}
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass(frozen=True)
class FakeGoogleVoice:
    name: str
    language_code: str
    gender: str


VOICES = (
    FakeGoogleVoice("en-US-Neural2-F", "en-US", "FEMALE"),  # GoogleTtsSettings default
    FakeGoogleVoice("en-US-Neural2-D", "en-US", "MALE"),
    FakeGoogleVoice("en-GB-Neural2-A", "en-GB", "FEMALE"),
)


class GoogleTtsFake(FakeServer):
    vendor = "google"

    def __init__(
        self,
        *,
        voices: tuple[FakeGoogleVoice, ...] = VOICES,
        failure_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.voices = voices
        self.speech = PiperSpeech()
        super().__init__(failure_rate=failure_rate, seed=seed)

    def routes(self, app: FastAPI) -> None:
        @app.get("/v1/voices")
        async def list_voices(request: Request) -> Response:
            language = request.query_params.get("languageCode")
            listed = [v for v in self.voices if not language or v.language_code == language]
            return JSONResponse(
                {
                    "voices": [
                        {
                            "languageCodes": [v.language_code],
                            "name": v.name,
                            "ssmlGender": v.gender,
                            "naturalSampleRateHertz": SAMPLE_RATE,
                        }
                        for v in listed
                    ]
                }
            )

        @app.post("/v1/text:synthesize")
        def synthesize(payload: dict[str, Any]) -> Response:
            return self._synthesize(payload)

        @app.post("/token")
        async def token() -> Response:
            # OAuth 2.0's token endpoint (oauth2.googleapis.com/token), for credentials that
            # refresh; its errors are RFC 6749's {"error", "error_description"}.
            return JSONResponse({"access_token": ACCESS_TOKEN, "expires_in": 3599,
                                 "token_type": "Bearer"})  # fmt: skip

    @staticmethod
    def token_error(status: int, error: str, description: str = "") -> Fault:
        """An answer of the token endpoint refusing to issue a token."""
        body = {"error": error, "error_description": description or error}
        return json_fault(status, body).on("/token")

    def _synthesize(self, payload: dict[str, Any]) -> Response:
        source = payload.get("input") or {}
        text = source.get("text")
        if text is None and source.get("ssml") is not None:
            text = re.sub(r"<[^>]+>", " ", str(source["ssml"]))
        if not isinstance(text, str) or not text.strip():
            return self._invalid("Either `input.text` or `input.ssml` needs to be set.")
        size = len(str(source.get("text") or source.get("ssml")).encode())
        if size > MAX_INPUT_BYTES:
            return self._invalid(
                f"Either `input.text` or `input.ssml` is longer than the limit of "
                f"{MAX_INPUT_BYTES} bytes. This limit is different from quotas."
            )
        voice = payload.get("voice") or {}
        language, name = voice.get("languageCode"), voice.get("name")
        if not language:
            return self._invalid("Voice language code is required.")
        known = {v.name: v for v in self.voices}
        if name and (name not in known or known[name].language_code != language):
            return self._invalid(f"Voice '{name}' does not exist for language '{language}'.")
        config = payload.get("audioConfig") or {}
        encoding = ENCODINGS.get(config.get("audioEncoding", 0))
        if encoding is None:
            return self._invalid(f"Unsupported audio encoding {config.get('audioEncoding')!r}.")
        rate = float(config.get("speakingRate") or 1.0)
        if not 0.25 <= rate <= 4.0:
            return self._invalid(f"speaking_rate {rate} is outside [0.25, 4.0].")
        pcm = self.speech.pcm(text, SAMPLE_RATE)
        audio = encode_pcm(pcm, SAMPLE_RATE, _CONTAINER[encoding])
        return JSONResponse({"audioContent": base64.b64encode(audio).decode("ascii")})

    def _invalid(self, message: str) -> Response:
        fault = self.error(400, message=message)
        return Response(fault.body, fault.status, media_type=fault.content_type)

    def error(
        self,
        status: int,
        kind: str | None = None,
        *,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> Fault:
        name = kind or STATUS_NAMES.get(status, "UNKNOWN")
        body = {"error": {"code": status, "message": message or f"fake {name}", "status": name}}
        return json_fault(status, body, retry_after=retry_after)
