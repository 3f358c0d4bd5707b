"""``POST /v1/audio/transcriptions``: the stt stage as a job, waited for, answered as OpenAI
answers (json, text, srt, vtt or verbose_json)."""

from __future__ import annotations

import json
import logging
import math
import unicodedata
import zlib
from collections import Counter
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from api import idempotency
from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.field_problems import problem_text
from api.form_in_memory import form_of
from api.intake import submit
from api.openai_compat.engines import engine_for
from api.openai_compat.waiting import (
    NO_RETRY,
    IdempotencyKey,
    SdkRetryCount,
    after_submission,
    conflict_not_retried,
    failure,
    finished,
)
from api.options import OptionFields, job_options
from shared.errors import StorageKeyNotFound
from shared.logging import bind
from shared.models import Job, JobStatus, Stage, Transcript
from shared.redaction.detect import TOKEN
from shared.transcript_formats import render, segments

log = logging.getLogger("voicepipe.api")
router = APIRouter(prefix="/v1/audio", tags=["openai"])

Granularity = Literal["word", "segment"]
_SEGMENT: Granularity = "segment"


class TranscriptionForm(BaseModel):
    """The fields OpenAI's transcription call takes (the file aside)."""

    model: str = Field(default="whisper-1", max_length=128)
    language: str | None = Field(default=None, max_length=16)
    # Whisper's decoding hint; our engines take none, so it is accepted and not used.
    prompt: str | None = Field(default=None, max_length=4000)
    response_format: Literal["json", "text", "srt", "vtt", "verbose_json"] = "json"
    # Sampling temperature means nothing to our engines: checked as OpenAI checks it, ignored.
    temperature: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    timestamp_granularities: list[Granularity] = Field(default_factory=lambda: [_SEGMENT])
    # Read as a form boolean ("true", "True", "1", ...), so a client that asks for events is
    # told they are not offered whichever way it spells it, not answered with a JSON body.
    stream: bool = False

    @field_validator("language")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


# ISO 639-1 codes to the names OpenAI's verbose_json gives (the languages our engines know).
_LANGUAGE_NAMES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
}


# Fields sent once; `timestamp_granularities[]` is a list, a part per value.
_SINGLE = ("file", "model", "language", "prompt", "response_format", "temperature", "stream")


def _refuse_repeated(form: FormData) -> None:
    # As POST /v1/jobs (api.job_form): keeping one of two `file` parts, or of two models,
    # would answer for something the client did not mean.
    counts = Counter(name for name, _ in form.multi_items() if name in _SINGLE)
    repeated = [name for name in _SINGLE if counts[name] > 1]
    if repeated:
        raise ApiError(
            400,
            "duplicate_field",
            f"Each form field may be sent once, but {', '.join(map(repr, repeated))} came "
            "more than once: send one recording per request, and each option once.",
            param=repeated[0],
        )


def _form(form: FormData) -> TranscriptionForm:
    values: dict[str, Any] = {}
    granularities = form.getlist("timestamp_granularities[]") + form.getlist(
        "timestamp_granularities"
    )
    if granularities:
        values["timestamp_granularities"] = granularities
    for name in ("model", "language", "prompt", "response_format", "temperature", "stream"):
        value = form.get(name)
        if isinstance(value, str) and value != "":
            values[name] = value
    try:
        fields = TranscriptionForm.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "request"
        # The form's field, not an index into a list of its values.
        param = str(first["loc"][0]) if first["loc"] else None
        raise ApiError(
            400, "invalid_value", f"{field}: {problem_text(first)}", param=param
        ) from None
    if "word" in fields.timestamp_granularities and fields.response_format != "verbose_json":
        # OpenAI refuses this too: only verbose_json has a `words` list to put them in, and
        # answering without them would pass the transcript off as what was asked for.
        raise ApiError(
            400,
            "invalid_value",
            "timestamp_granularities: word timestamps come only with response_format "
            f"verbose_json, not {fields.response_format}; ask for verbose_json or leave "
            "'word' out.",
            param="timestamp_granularities",
        )
    return fields


@router.post(
    "/transcriptions",
    responses={
        200: {
            "description": "The transcript in `response_format`.",
            "content": {"application/json": {}, "text/plain": {"schema": {"type": "string"}}},
        },
        **error_responses(400, 401, 404, 409, 410, 413, 502, 503, 504),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            **TranscriptionForm.model_json_schema()["properties"],
                        },
                    }
                }
            },
        }
    },
)
async def create_transcription(
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    idempotency_key: IdempotencyKey = None,
    retry_count: SdkRetryCount = None,
) -> Response:
    """OpenAI's transcription call: the recording in `file`, run through the stt stage."""
    bind(tenant=tenant)
    key = idempotency.key_of(idempotency_key)
    # Without a key, an SDK's retry of this call joins its first try's job (SdkRetry).
    # A client that does not number its tries (no header) never sends a retry to join: its
    # calls are neither hashed for it nor noted.
    retry = (
        None
        if key or retry_count is None
        else idempotency.SdkRetry.of("transcriptions", retry_count)
    )
    async with form_of(request) as form:
        _refuse_repeated(form)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(
                400, "missing_file", "No audio was sent: upload it as the multipart field 'file'."
            )
        fields = _form(form)
        if fields.stream:
            raise ApiError(
                400,
                "streaming_not_offered",
                "Streamed transcription events are not offered; leave 'stream' out and the "
                "whole transcript comes back once the recording is transcribed.",
                param="stream",
            )
        engine = engine_for(services.settings, Stage.STT, fields.model)
        option_fields = OptionFields(stages="stt", stt_provider=engine, language=fields.language)
        options = job_options(services, tenant, option_fields, recording=True)
        # Held in memory only until stored, not for the wait below (api.upload_memory).
        async with services.uploads.read_whole(upload) as data:
            with conflict_not_retried():
                job, replayed = await submit(
                    services, tenant, data, upload.filename, options, key, retry
                )
    job = await finished(services, job, services.settings.api.sync_wait_s)
    if _silent(job):
        # OpenAI transcribes a recording without speech as no words (200, empty text); our
        # job fails before any engine runs, and an SDK raised BadRequestError on a hang-up.
        provider = engine or services.settings.providers.stt
        transcript = Transcript(
            text="", provider=provider, language=options.language, duration_s=job.input.duration_s
        )
    elif job.status != JobStatus.SUCCEEDED:
        raise failure(job)
    else:
        transcript = await _transcript(services, job)
    # In a thread: a long recording's captions or segments take a fifth of a second of CPU
    # and more, which on the event loop every other request of this process would wait out.
    answer = await run_in_threadpool(_answer, job, transcript, fields)
    if replayed:
        answer.headers["Idempotent-Replayed"] = "true"
    return answer


@router.post("/translations", responses=error_responses(401, 404))
async def create_translation(_tenant: TenantDep) -> Response:
    """OpenAI's translation into English: not offered, said in OpenAI's shape."""
    raise ApiError(
        404,
        "translations_not_offered",
        "Translation into English is not offered here. POST the recording to "
        "/v1/audio/transcriptions for a transcript in the language spoken.",
    )


def _silent(job: Job) -> bool:
    return (
        job.status == JobStatus.FAILED
        and job.error is not None
        and (job.error.code.rpartition(".")[2] == "empty_media")
    )


async def _transcript(services: ServicesDep, job: Job) -> Transcript:
    record = job.stages[Stage.STT]
    try:
        raw = await run_in_threadpool(services.storage.get, record.output_key or "")
    except StorageKeyNotFound:
        raise ApiError(
            502, "output_missing", f"The transcript of job {job.id} is missing.", NO_RETRY
        ) from None
    except Exception as exc:
        log.warning("reading the transcript of %s failed", job.id, exc_info=True)
        raise after_submission(
            services, job, 503, "storage_unavailable", "Object storage stopped answering"
        ) from exc
    return Transcript.model_validate_json(raw)


def _answer(job: Job, transcript: Transcript, fields: TranscriptionForm) -> Response:
    headers = {"X-VoicePipe-Job": job.id}
    fmt = fields.response_format
    if fmt in ("text", "srt", "vtt"):
        body = render(transcript, "txt" if fmt == "text" else fmt)
        return Response(body, media_type="text/plain; charset=utf-8", headers=headers)
    seconds = transcript.duration_s or job.input.duration_s
    usage = {"type": "duration", "seconds": math.ceil(seconds)}
    if fmt == "json":
        payload: dict[str, Any] = {"text": transcript.text, "usage": usage}
    else:
        payload = _verbose(transcript, seconds, fields.timestamp_granularities)
        payload["usage"] = usage
    return Response(
        json.dumps(payload, ensure_ascii=False), media_type="application/json", headers=headers
    )


def _verbose(
    transcript: Transcript, seconds: float, granularities: list[Granularity]
) -> dict[str, Any]:
    language = transcript.language or "en"
    body: dict[str, Any] = {
        "task": "transcribe",
        "language": _LANGUAGE_NAMES.get(language.split("-")[0], language),
        "duration": round(seconds, 3),
        "text": transcript.text,
    }
    if "segment" in granularities:
        body["segments"] = [_segment(i, cue) for i, cue in enumerate(segments(transcript))]
    if "word" in granularities:
        bare = [(_bare(w.word), w) for w in transcript.words]
        body["words"] = [
            {"word": word, "start": w.start_s or 0.0, "end": w.end_s or 0.0}
            for word, w in bare
            if word
        ]
    return body


def _bare(word: str) -> str:
    """``word`` without the punctuation around it, as OpenAI's words come ("Hello," is
    "Hello"); what is inside stays ("I'm", "4.5"), and so does a redaction's token whole
    ("[PERSON_NAME],": its brackets are no punctuation of a word said)."""
    token = TOKEN.search(word)
    start, end = 0, len(word)
    first, last = (token.start(), token.end()) if token else (end, start)
    while start < min(end, first) and _mark(word[start]):
        start += 1
    while end > max(start, last) and _mark(word[end - 1]):
        end -= 1
    return word[start:end]


def _mark(char: str) -> bool:
    return char.isspace() or unicodedata.category(char).startswith("P")


def _segment(index: int, cue: Any) -> dict[str, Any]:
    text = cue.text
    confidences = [w.confidence for w in cue.words if w.confidence]
    # Whisper's per-segment figures, from what our engines give: the mean word confidence as
    # a log-probability, and the compression ratio of the text (Whisper's repetition check).
    # No tokens: our engines have no Whisper token ids, and inventing them would mislead.
    mean = sum(confidences) / len(confidences) if confidences else None
    packed = len(zlib.compress(text.encode())) or 1
    return {
        "id": index,
        "seek": round(cue.start_s * 100),
        "start": round(cue.start_s, 3),
        "end": round(cue.end_s, 3),
        # Whisper's segments begin with the space before their first word, as OpenAI's do.
        "text": f" {text.strip()}" if text.strip() else "",
        "tokens": [],
        "temperature": 0.0,
        "avg_logprob": round(math.log(mean), 4) if mean else 0.0,
        "compression_ratio": round(len(text.encode()) / packed, 4),
        "no_speech_prob": 0.0,
    }
