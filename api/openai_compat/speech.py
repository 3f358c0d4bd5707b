"""``POST /v1/audio/speech``: the tts stage as jobs, answered as OpenAI answers: the audio
in one of its six formats, whole, or streamed sentence by sentence.

A streamed answer queues one job per sentence at once, so the tts pool speaks them side by
side, and sends each sentence as soon as it and those before it are spoken: the first
audio leaves after the first sentence, not after the whole text. Each job is spoken as WAV
(lossless) and encoded here into the asked format by one encoder for the whole answer, with
OpenAI's `speed` applied by FFmpeg's atempo, so every voice vendor gets the same formats and
speeds whatever it offers itself.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool

from api import idempotency
from api.deps import Services, ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.intake import submit_text
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
from api.voice_choice import known_voices, refuse_unknown
from shared.audio.offline_voice import VOICE as OFFLINE_VOICE
from shared.audio.speech_encode import MEDIA_TYPES, SpeechEncoder, SpeechFormat, decode_speech
from shared.audio.tempo import MAX_SPEED, MIN_SPEED, change_tempo
from shared.errors import MediaRejected, StorageKeyNotFound
from shared.hidden_characters import is_blank, without_hidden
from shared.logging import bind
from shared.models import Job, JobOptions, JobStatus, Stage
from shared.settings import Settings
from shared.text_input import check_typed, validated_text
from shared.tts_voices import VOICES as OPENAI_VOICES

log = logging.getLogger("voicepipe.api")
router = APIRouter(prefix="/v1/audio", tags=["openai"])


class SpeechRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    model: str = Field(max_length=128)
    input: str = Field(min_length=1, max_length=4096)
    voice: str = Field(max_length=128)
    response_format: SpeechFormat = "mp3"
    speed: float = Field(default=1.0, ge=MIN_SPEED, le=MAX_SPEED, allow_inf_nan=False)
    # Style instructions for OpenAI's newest voices; no engine of ours takes them.
    instructions: str | None = Field(default=None, max_length=4096)
    # "audio" streams the audio itself; OpenAI's "sse" (base64 audio in events) is not offered.
    stream_format: Literal["audio"] | None = None

    @field_validator("voice", mode="before")
    @classmethod
    def _custom_voice_id(cls, value: object) -> object:
        # OpenAI's custom voice object, {"id": "voice_1234"}: its id is the voice's name,
        # spoken as a name is (the provider's default when it lists no such voice).
        if isinstance(value, dict) and set(value) == {"id"}:
            return value["id"]
        return value

    @field_validator("input")
    @classmethod
    def _words_to_speak(cls, value: str) -> str:
        # Checked here, not by the text job's intake, whose message names /v1/jobs' fields.
        if is_blank(value):
            raise ValueError("has no words to speak: send the text to be spoken")
        return value


# A sentence ends at ., ! or ? (with closing quotes) before a space; a sentence this short is
# spoken with the next, so a stream is not a stutter of two-word jobs.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_MIN_SENTENCE_CHARS = 40


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and len(merged[-1]) < _MIN_SENTENCE_CHARS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [text.strip()]


@router.post(
    "/speech",
    responses={
        200: {
            "description": "The speech, whole or streamed (`stream_format=audio`).",
            "content": {media: {} for media in MEDIA_TYPES.values()},
        },
        **error_responses(400, 401, 404, 409, 410, 413, 502, 503, 504),
    },
)
async def create_speech(
    body: SpeechRequest,
    services: ServicesDep,
    tenant: TenantDep,
    idempotency_key: IdempotencyKey = None,
    retry_count: SdkRetryCount = None,
) -> Response:
    """OpenAI's speech call: `input` spoken by the tts stage, in `response_format`."""
    bind(tenant=tenant)
    key = idempotency.key_of(idempotency_key)
    # Without a key, an SDK's retry of this call joins its first try's jobs (SdkRetry).
    # A client that does not number its tries (no header) never sends a retry to join: its
    # calls are neither hashed for it nor noted.
    retry = None if key or retry_count is None else idempotency.SdkRetry.of("speech", retry_count)
    # Before any sentence is queued: a streamed text is several jobs, each under the limit.
    try:
        check_typed(body.input, "input")
        text = _speakable(body.input)
        validated_text(text, services.settings.api.max_text_chars, "input")
    except MediaRejected as exc:
        # Named in OpenAI's `param`, as every refused field is, and 400 as OpenAI answers an
        # input it will not speak (too long too: our 413 made its SDKs raise another class).
        raise ApiError(400, exc.code, exc.message, param="input") from None
    options = _options(services, tenant, body)
    provider = options.tts_provider or services.settings.providers.tts
    headers = {"X-VoicePipe-Voice": voice_spoken(services.settings, provider, options.voice)}
    media_type = MEDIA_TYPES[body.response_format]
    if body.stream_format is None:
        one, replayed = await _queue(services, tenant, text, options, key, None, retry)
        job = await _spoken(services, one)
        headers["X-VoicePipe-Job"] = job.id
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        audio = await run_in_threadpool(_encoded, services, job, body, None)
        return Response(audio, media_type=media_type, headers=headers)
    parts = [
        await _queue(services, tenant, part, options, *_sentence_key(key, text, index), retry)
        for index, part in enumerate(sentences(text))
    ]
    jobs = [job for job, _ in parts]
    headers["X-VoicePipe-Jobs"] = ",".join(job.id for job in jobs)
    if all(replayed for _, replayed in parts):
        headers["Idempotent-Replayed"] = "true"
    # The first sentence is waited for here, so a failure is still a proper error answer.
    first, rest = await _first_spoken(services, jobs)
    encoder = SpeechEncoder(body.response_format, streamed=True)
    head = await run_in_threadpool(_encoded, services, first, body, encoder)
    return StreamingResponse(
        _stream(services, head, rest, body, encoder), media_type=media_type, headers=headers
    )


def _speakable(text: str) -> str:
    """``text`` without the invisible format characters that pasted text carries (soft
    hyphens, zero-width spaces, bidi overrides: unspoken, as OpenAI passes them over), which
    the text job, whose text is shown as its transcript, refuses; a line or paragraph
    separator is a line break."""
    return without_hidden(text.replace("\u2028", "\n").replace("\u2029", "\n"), breaks=True)


def _nothing_to_say(exc: ApiError) -> bool:
    # A sentence of only symbols or punctuation ("-----."): the voice makes no sound of it,
    # as it makes none of it inside a whole text, so it is no reason to fail the rest.
    return exc.code.rpartition(".")[2] == "empty_text"


async def _first_spoken(services: Services, jobs: list[Job]) -> tuple[Job, list[Job]]:
    """The first sentence with something to say, and the sentences after it; the error of
    the last one when none has (the same as the whole text's)."""
    for index, job in enumerate(jobs):
        try:
            return await _spoken(services, job), jobs[index + 1 :]
        except ApiError as exc:
            if not _nothing_to_say(exc) or index == len(jobs) - 1:
                raise
    raise AssertionError("sentences() gives at least one sentence")


def _options(services: Services, tenant: str, body: SpeechRequest) -> JobOptions:
    provider = engine_for(services.settings, Stage.TTS, body.model)
    options = job_options(services, tenant, OptionFields(tts_provider=provider))
    voice = _voice(services, provider or services.settings.providers.tts, body.voice)
    update = {"stages": [Stage.TTS], "voice": voice, "output_format": "wav"}
    return options.model_copy(update=update)


def _voice(services: Services, provider: str, asked: str) -> str | None:
    """The voice ``provider`` speaks the call with; None for its default.

    OpenAI's voice names (alloy, nova, …, or a custom voice_… id) mean nothing to most of
    our vendors, and clients written for OpenAI send them: one the provider lacks is spoken
    by its default voice (named in X-VoicePipe-Voice). Any other name is the caller's
    choice of one of the provider's own voices, refused as OpenAI refuses a voice it lacks
    (it was spoken by the default, unsaid). The list is the tts workers' or, before one has
    published it, the voices known without it (the bundled one, OpenAI's: these were taken
    for unlisted, and "nova" was spoken by the default right after start-up); where only the
    vendor's listing can tell, the name is passed on for the tts stage to speak or refuse."""
    listed = known_voices(services, provider)
    if listed is not None and asked in listed:
        return asked
    if asked in OPENAI_VOICES or asked.startswith("voice_"):
        return None
    refuse_unknown(
        services, provider, asked, listed, "or one of OpenAI's names for its default voice."
    )
    return asked


def voice_spoken(settings: Settings, provider: str, voice: str | None) -> str:
    """The voice ``provider`` speaks a job with: its own, the deployment's, or the vendor's
    default, as the tts worker chooses (``workers.tts``)."""
    chosen = voice or settings.providers.voice_for(provider)
    if chosen:
        return chosen
    defaults = {
        "local": OFFLINE_VOICE,
        "openai": settings.openai.tts_voice,
        "elevenlabs": settings.elevenlabs.voice_id,
        "google": settings.google.voice_name,
    }
    # A plugin's default is its own business: there is no name to give.
    return defaults.get(provider, "default")


def _sentence_key(key: str | None, text: str, index: int) -> tuple[str | None, str | None]:
    """The Idempotency-Key of a streamed call's ``index``-th sentence, and the content its
    request is told by: the whole text, so the same key with other words is a conflict at
    the first sentence, before anything is queued, even where that sentence is unchanged. The
    first sentence takes the key itself, so a whole (unstreamed) call with the key, told by
    its text alone, is a conflict too, not a second set of jobs. Without a key, the content
    tells an SDK retry's sentences apart all the same (api.idempotency.SdkRetry)."""
    whole = hashlib.sha256(f"stream\x1f{index}\x1f{text}".encode()).hexdigest()
    if key is None:
        return None, whole
    return (key if index == 0 else f"{key}\x1fsentence {index}"), whole


async def _queue(
    services: Services,
    tenant: str,
    text: str,
    options: JobOptions,
    key: str | None = None,
    key_content: str | None = None,
    retry: idempotency.SdkRetry | None = None,
) -> tuple[Job, bool]:
    with conflict_not_retried():
        return await submit_text(services, tenant, text, options, key, key_content, retry)


async def _spoken(services: Services, job: Job) -> Job:
    job = await finished(services, job, services.settings.api.sync_wait_s)
    if job.status != JobStatus.SUCCEEDED:
        error = failure(job)
        code = error.code.rpartition(".")[2]
        if code == "unsupported_language":
            # A text the voice cannot speak is fixed by choosing another engine, which this
            # call names in `model` (it takes no `language`).
            error.param = "model"
        elif code == "unknown_voice":
            error.param = "voice"
        raise error
    return job


def _encoded(
    services: Services, job: Job, body: SpeechRequest, encoder: SpeechEncoder | None
) -> bytes:
    try:
        data = services.storage.get(job.results.reply_audio_key or "")
    except StorageKeyNotFound:
        raise ApiError(
            502, "output_missing", f"The speech of job {job.id} is missing.", NO_RETRY
        ) from None
    except Exception as exc:
        log.warning("reading the speech of %s failed", job.id, exc_info=True)
        raise after_submission(
            services, job, 503, "storage_unavailable", "Object storage stopped answering"
        ) from exc
    pcm, rate = decode_speech(data)
    pcm = change_tempo(pcm, rate, body.speed)
    if encoder is None:
        if not pcm.size:
            # A voice (a plugin's, or a very short clip sped up) made no sound of the text.
            raise ApiError(
                502,
                "no_audio",
                f"The voice made no sound of this text (job {job.id}).",
                NO_RETRY,
            )
        whole = SpeechEncoder(body.response_format, streamed=False)
        return whole.feed(pcm, rate) + whole.close()
    return encoder.feed(pcm, rate)


async def _stream(
    services: Services,
    head: bytes,
    rest: list[Job],
    body: SpeechRequest,
    encoder: SpeechEncoder,
) -> AsyncIterator[bytes]:
    yield head
    for job in rest:
        try:
            spoken = await _spoken(services, job)
            chunk = await run_in_threadpool(_encoded, services, spoken, body, encoder)
        except ApiError as exc:
            if _nothing_to_say(exc):
                continue
            # The status line has gone, so no error answer can follow. Raising makes the
            # server drop the connection before the last chunk: HTTP clients then report an
            # incomplete read, where a clean end would pass a truncated file off as whole.
            log.warning("speech stream broken at job %s: %s", job.id, exc.code)
            raise SpeechStreamBroken(f"{exc.code}: {exc.message}") from exc
        if chunk:
            yield chunk
    yield await run_in_threadpool(encoder.close)


class SpeechStreamBroken(RuntimeError):
    """A sentence of a streamed answer could not be spoken after the answer had begun."""
