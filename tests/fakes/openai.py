"""OpenAI's audio API on localhost: transcriptions and speech, with OpenAI's error shapes.

Answers are real, not canned: uploads are decoded and transcribed by the offline
pocketsphinx engine, and speech is spoken by the offline piper voice, so a test can
round-trip audio through the clients. ``transcript_text`` forces a chosen transcript,
``invented_text`` adds words Whisper invents over music or silence after it, and
``speech="tone"`` answers a tone as long as the text would take to say (for tests that
need minutes of audio fast).

Run alone: ``python -m tests.fakes openai --port 8011 --failure-rate 0.2``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

import numpy as np
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from shared.audio import decode_pcm16k, encode_pcm
from shared.errors import StageFailed, VoicePipeError
from shared.models import Transcript, Word
from shared.settings import OutputFormat, Settings
from tests.fakes.server import FakeServer, Fault, json_fault
from workers.providers.base import AudioInput
from workers.providers.stt.pocketsphinx_stt import PocketsphinxStt
from workers.providers.tts.local import PiperTts

STT_MODELS = frozenset({"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"})
TTS_MODELS = frozenset({"tts-1", "tts-1-hd", "gpt-4o-mini-tts"})
# tts-1 and tts-1-hd speak nine voices; gpt-4o-mini-tts four more.
CLASSIC_VOICES = frozenset(
    {"alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer"}
)
VOICES = CLASSIC_VOICES | {"ballad", "verse", "marin", "cedar"}
UPLOAD_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "ogg", "wav", "webm")
# OpenAI also answers srt and vtt; this fake refuses them, saying so.
TRANSCRIPT_FORMATS = frozenset({"json", "text", "verbose_json"})
# response_format -> (our encoder's format, Content-Type). aac, flac and pcm are valid for
# OpenAI but not produced here: they are refused with a message saying so.
SPEECH_FORMATS: dict[str, tuple[OutputFormat, str]] = {
    "mp3": ("mp3", "audio/mpeg"),
    "opus": ("ogg", "audio/ogg"),
    "wav": ("wav", "audio/wav"),
}
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_INPUT_CHARS = 4096
MAX_INPUT_TOKENS = 2000  # gpt-4o-mini-tts
# Tone mode: about how long one character takes to say, and the rate OpenAI speaks at.
_TONE_S_PER_CHAR = 0.06
_TONE_RATE = 24_000

_QUOTA = "You exceeded your current quota, please check your plan and billing details."
# kind -> (error.type, error.code, default message), as OpenAI sends them.
_KINDS: dict[str, tuple[str, str | None, str]] = {
    "insufficient_quota": ("insufficient_quota", "insufficient_quota", _QUOTA),
    "rate_limit_exceeded": ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    "server_error": ("server_error", None, "The server had an error processing your request."),
    "invalid_api_key": ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    "invalid_request_error": ("invalid_request_error", None, "Invalid request."),
}  # fmt: skip
_BAD_FILE_FORMAT = f"Invalid file format. Supported formats: {list(UPLOAD_EXTENSIONS)}"
_SEGMENT_WORDS = 12
_SEGMENT_SCORES: dict[str, Any] = {"tokens": [], "temperature": 0.0, "avg_logprob": -0.25}
_SEGMENT_SCORES.update(compression_ratio=1.2, no_speech_prob=0.01)
# What Whisper scores a window of hold music or silence it writes words over: it finds no
# speech there and is unsure of the words (openai-whisper's rule calls it silent).
_INVENTED_SCORES: dict[str, Any] = {**_SEGMENT_SCORES, "avg_logprob": -1.21}
_INVENTED_SCORES.update(compression_ratio=0.86, no_speech_prob=0.87)
_LANGUAGE_NAMES = {"en": "english", "es": "spanish", "fr": "french", "de": "german"}


class OpenAIFake(FakeServer):
    vendor = "openai"

    def __init__(
        self,
        *,
        api_key: str = "sk-test",
        transcript_text: str | None = None,
        invented_text: str | None = None,
        speech: Literal["piper", "tone"] = "piper",
        settings: Settings | None = None,
        failure_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.api_key = api_key
        self.transcript_text = transcript_text
        self.invented_text = invented_text
        self.speech = speech
        self.settings = settings or Settings()
        super().__init__(failure_rate=failure_rate, seed=seed)

    def error(
        self,
        status: int,
        kind: str | None = None,
        *,
        retry_after: float | None = None,
        message: str | None = None,
        param: str | None = None,
    ) -> Fault:
        if kind is None:
            kind = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(
                status, "server_error" if status >= 500 else "invalid_request_error"
            )
        error_type, code, default = _KINDS.get(kind, ("invalid_request_error", kind, kind))
        payload = {"message": message or default, "type": error_type, "param": param, "code": code}
        return json_fault(status, {"error": payload}, retry_after=retry_after)

    def routes(self, app: FastAPI) -> None:
        app.post("/v1/audio/transcriptions")(self._transcriptions)
        app.post("/v1/audio/speech")(self._speech)

    # -- handlers -------------------------------------------------------------------------
    async def _transcriptions(self, request: Request) -> Response:
        try:
            self._check_key(request)
            # Like the API, the limit is on the whole request body, form fields included.
            size = len(await request.body())
            if size > MAX_UPLOAD_BYTES:
                limit = f"Maximum content size limit ({MAX_UPLOAD_BYTES}) exceeded"
                raise _Refused(f"{limit} ({size} bytes read)", status=413)
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise _Refused("'file' is a required property", "file")
            data = await upload.read()
            model, fmt = str(form.get("model") or ""), str(form.get("response_format") or "json")
            extension = (upload.filename or "").rpartition(".")[2].lower()
            granularities = [str(g) for g in form.getlist("timestamp_granularities[]")]
            language = str(form.get("language") or "")
            _require(model in STT_MODELS, f"Invalid model {model!r}.", "model")
            _require(extension in UPLOAD_EXTENSIONS, _BAD_FILE_FORMAT, "file")
            _require(fmt in TRANSCRIPT_FORMATS, f"Unsupported format {fmt!r}.", "response_format")
            # The gpt-4o models answer json (or text) only.
            only_json = model.startswith("gpt-4o") and fmt == "verbose_json"
            _require(not only_json, f"{fmt!r} is not compatible with {model!r}.", "response_format")
            _require(
                not granularities or fmt == "verbose_json",
                "timestamp_granularities needs response_format=verbose_json",
                "timestamp_granularities",
            )
            iso = not language or re.fullmatch("[a-z]{2}", language) is not None
            _require(iso, f"Invalid language {language!r}: use ISO-639-1.", "language")
            try:
                transcript = await run_in_threadpool(self._transcribe, data, extension)
            except VoicePipeError as exc:
                raise _Refused("Audio file might be corrupted or unsupported", "file") from exc
        except _Refused as refusal:
            return self._refuse(refusal)
        invented = (
            len(self.invented_text.split())
            if self.transcript_text is not None and self.invented_text
            else 0
        )
        return _transcription_answer(transcript, fmt, granularities, language or "en", invented)

    async def _speech(self, request: Request) -> Response:
        try:
            self._check_key(request)
            try:
                body: Any = await request.json()
            except ValueError as exc:
                raise _Refused("We could not parse the JSON body of your request.") from exc
            _require(isinstance(body, dict), "The request body must be a JSON object.")
            model, voice = body.get("model"), body.get("voice")
            _require(model in TTS_MODELS, f"Invalid model {model!r}.", "model")
            spoken = CLASSIC_VOICES if model in ("tts-1", "tts-1-hd") else VOICES
            _require(voice in spoken, f"Invalid voice {voice!r} for {model}.", "voice")
            text = body.get("input")
            if not isinstance(text, str) or not text.strip():
                raise _Refused("'input' must be a non-empty string.", "input")
            too_long = f"string too long: {len(text)} characters, at most {MAX_INPUT_CHARS}."
            _require(len(text) <= MAX_INPUT_CHARS, too_long, "input")
            if str(model).startswith("gpt-"):
                # These count tokens too: about 4 ASCII characters, or 1 other, a token.
                tokens = sum(1 for c in text if not c.isascii()) + sum(map(str.isascii, text)) // 4
                over = f"Input of {tokens} tokens is over the maximum input limit of 2000 tokens."
                _require(tokens <= MAX_INPUT_TOKENS, over + " Please shorten your input.")
            requested = body.get("response_format", "mp3")
            made = f"This fake makes mp3, opus and wav, not {requested!r}."
            _require(requested in SPEECH_FORMATS, made, "response_format")
            speed = body.get("speed", 1.0)
            if not isinstance(speed, int | float) or not 0.25 <= speed <= 4.0:
                raise _Refused("speed must be a number from 0.25 to 4.0.", "speed")
            fmt, media_type = SPEECH_FORMATS[requested]
            try:
                audio = await run_in_threadpool(self._speak, text, fmt, float(speed))
            except StageFailed as exc:
                raise _Refused(exc.message, "input") from exc
        except _Refused as refusal:
            return self._refuse(refusal)
        return Response(audio, media_type=media_type)

    # -- the engines --------------------------------------------------------------------------
    def _transcribe(self, data: bytes, extension: str) -> Transcript:
        pcm = decode_pcm16k(data)  # always: it also proves the upload is real audio
        if self.transcript_text is None:
            audio = AudioInput(data=data, media_type="", extension=extension, pcm16k=pcm)
            return PocketsphinxStt().transcribe(audio)
        duration = len(pcm) / 16_000
        text = " ".join(filter(None, (self.transcript_text, self.invented_text)))
        tokens = text.split()
        step = duration / max(len(tokens), 1)
        words = [
            Word(word=w, start_s=round(i * step, 2), end_s=round((i + 1) * step, 2))
            for i, w in enumerate(tokens)
        ]
        return Transcript(text=text, provider="fake", duration_s=duration, words=words)

    def _speak(self, text: str, fmt: OutputFormat, speed: float) -> bytes:
        if self.speech == "tone":
            seconds = max(0.2, len(text) * _TONE_S_PER_CHAR / speed)
            t = np.arange(round(seconds * _TONE_RATE)) / _TONE_RATE
            pcm = (0.25 * 32767 * np.sin(2 * math.pi * 220.0 * t)).astype(np.int16)
            return encode_pcm(pcm, _TONE_RATE, fmt)
        local = self.settings.local.model_copy(
            update={"piper_length_scale": self.settings.local.piper_length_scale / speed}
        )
        return PiperTts(local).synthesize(text, None, fmt).data

    # -- helpers --------------------------------------------------------------------------
    def _check_key(self, request: Request) -> None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            raise _Refused("Incorrect API key provided.", status=401)

    def _refuse(self, refusal: _Refused) -> Response:
        fault = self.error(refusal.status, message=refusal.message, param=refusal.param)
        return _answer(fault)


class _Refused(Exception):
    """A request the real API would refuse: raised by the checks, answered in OpenAI's shape."""

    def __init__(self, message: str, param: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.param, self.status = message, param, status


def _require(ok: bool, message: str, param: str | None = None) -> None:
    if not ok:
        raise _Refused(message, param)


def _answer(fault: Fault) -> Response:
    return Response(fault.body, fault.status, headers=fault.headers, media_type=fault.content_type)


def _transcription_answer(
    transcript: Transcript, fmt: str, granularities: list[str], language: str, invented: int
) -> Response:
    """``invented``: how many of the last words Whisper wrote over music or silence."""
    duration = transcript.duration_s or 0.0
    heard = len(transcript.words) - invented
    segments = _segments(transcript.words[:heard], _SEGMENT_SCORES)
    # Whisper ends a segment where the audio changes, so the invented words are one alone.
    segments += _segments(transcript.words[heard:], _INVENTED_SCORES, first_id=len(segments))
    if fmt == "text":
        return Response(transcript.text + "\n", media_type="text/plain")
    usage = {"type": "duration", "seconds": math.ceil(duration)}
    if fmt == "json":
        return _json({"text": transcript.text, "usage": usage})
    verbose: dict[str, Any] = {
        "task": "transcribe",
        "language": _LANGUAGE_NAMES.get(language, language),
        "duration": round(duration, 3),
        "text": transcript.text,
        "usage": usage,
    }
    if "segment" in granularities or not granularities:
        verbose["segments"] = segments
    if "word" in granularities:
        verbose["words"] = [
            {"word": w.word, "start": w.start_s, "end": w.end_s} for w in transcript.words
        ]
    return _json(verbose)


def _segments(words: list[Word], scores: dict[str, Any], first_id: int = 0) -> list[dict[str, Any]]:
    """Words in runs of a dozen, shaped like Whisper's segments and scored as ``scores``."""
    groups = [words[i : i + _SEGMENT_WORDS] for i in range(0, len(words), _SEGMENT_WORDS)]
    return [
        {"id": first_id + i, "seek": 0, "start": group[0].start_s, "end": group[-1].end_s}
        | {"text": " " + " ".join(w.word for w in group), **scores}
        for i, group in enumerate(groups)
    ]


def _json(payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), media_type="application/json")
