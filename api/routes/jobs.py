"""/v1/jobs: submit audio, follow the job, fetch its outputs."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api import idempotency, job_form
from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.intake import submit, submit_text
from api.job_form import job_form_of
from api.media_routes import RangeHeader, media_route, served
from api.options import job_options, text_options
from api.query_params import KNOWN_QUERY
from shared.audio.containers import BROWSERS_PLAY
from shared.errors import StorageKeyNotFound
from shared.keyset_paging import CURSOR_PATTERN, cursor_of, parse_cursor
from shared.logging import bind
from shared.models import Job, JobStatus, Stage, StageStatus, Transcript
from shared.pipeline import stages_of
from shared.tracing import intake_span
from shared.transcript_document import TranscriptDocument
from shared.transcript_formats import TranscriptFormat
from shared.transcript_formats import render as render_transcript

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


class JobView(Job):
    links: dict[str, str]


class JobList(BaseModel):
    jobs: list[JobView]
    # Where the next page starts (GET /v1/jobs?cursor=...); None on the last page.
    next_cursor: str | None
    total: int


def _links(job: Job, base: str) -> dict[str, str]:
    # Reviews always: a job has none until a person corrects it, and the listing says so.
    links = {"self": f"{base}/v1/jobs/{job.id}", "reviews": f"{base}/v1/jobs/{job.id}/reviews"}
    if job.results.transcript is not None:
        links["transcript"] = f"{base}/v1/jobs/{job.id}/transcript"
    if job.results.reply_audio_key:
        links["reply_audio"] = f"{base}/v1/jobs/{job.id}/reply"
    if job.results.redacted_audio_key:
        links["redacted_audio"] = f"{base}/v1/jobs/{job.id}/redacted-audio"
    if job.results.listening_copy_key:
        links["listening_copy"] = f"{base}/v1/jobs/{job.id}/listening-copy"
    return links


def _view(job: Job, base: str) -> JobView:
    return JobView(**job.model_dump(), links=_links(job, base))


@router.post(
    "",
    status_code=202,
    response_model=JobView,
    responses={
        200: {"model": JobView, "description": "An earlier job, for a repeated Idempotency-Key"},
        **error_responses(400, 409, 410, 413, 415, 422, 503),
    },
    openapi_extra=job_form.OPENAPI,
)
async def create_job(
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Repeat a submission safely: the same key returns the same job.",
        ),
    ] = None,
) -> Response:
    """A multipart form: the recording in `file` (or typed input in `text`), and any of the
    options."""
    bind(tenant=tenant)
    idempotency_key = idempotency.key_of(idempotency_key)
    # The job's first span (shared.tracing), under FastAPI's own span of the request;
    # nothing is recorded unless tracing is configured.
    with intake_span(tenant):
        async with job_form_of(request, services.uploads) as form:
            # A recording's language is its engine's to hear; typed text has none to.
            options = job_options(services, tenant, form.fields, recording=form.text is None)
            if form.text is not None:
                text_options(form.fields)
                job, replayed = await submit_text(
                    services, tenant, form.text, options, idempotency_key
                )
            else:
                job, replayed = await submit(
                    services, tenant, form.data, form.filename, options, idempotency_key
                )
    base = services.settings.api.base_url
    headers = {"Location": f"{base}/v1/jobs/{job.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    # Serialized once, here: returned as a model, the view would be validated against
    # response_model and serialized again, a tenth of intake's time per upload.
    body = job.model_dump(mode="json")
    body["links"] = _links(job, base)
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=200 if replayed else 202,
        headers=headers,
        media_type="application/json",
    )


@router.get("", response_model=JobList, responses=error_responses(422), dependencies=KNOWN_QUERY)
async def list_jobs(
    services: ServicesDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=1_000_000,
            description="Jobs to skip (past `cursor`, with one); prefer `cursor`.",
        ),
    ] = 0,
    # '<creation time>:<id>', as next_cursor gives it (shared.keyset_paging).
    cursor: Annotated[
        str | None,
        Query(pattern=CURSOR_PATTERN, description="next_cursor of the previous page"),
    ] = None,
) -> JobList:
    """The tenant's jobs, newest first. Page with `cursor` (the previous page's
    `next_cursor`): a job created or deleted meanwhile moves no other from its page, as it
    does paging by `offset`."""
    store = services.jobs
    before, before_id = parse_cursor(cursor)

    def listed() -> tuple[list[Job], str | None, int]:
        if cursor is None:
            ids, position = store.offset_page(tenant, limit, offset)
        else:
            # With an offset too, it skips that many past the cursor's position.
            ids, position = store.list_page(tenant, limit, before, before_id, offset)
        # One round trip for the page's records. A job deleted after it was listed (its
        # retention ran, a DELETE) is left out rather than failing the page with a 404;
        # the cursor comes from the index, so paging goes on past it.
        found = store.get_many(ids)
        jobs = [job for job in found if job is not None and job.tenant == tenant]
        return jobs, cursor_of(position), store.count(tenant)

    jobs, next_cursor, total = await run_in_threadpool(listed)
    base = services.settings.api.base_url
    return JobList(jobs=[_view(job, base) for job in jobs], next_cursor=next_cursor, total=total)


@router.get("/{job_id}", response_model=JobView, responses=error_responses(404, 422))
async def get_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobView:
    job = await run_in_threadpool(services.jobs.get, job_id, tenant)
    return _view(job, services.settings.api.base_url)


def recorded(job: Job) -> Job:
    """The job, when it was made from a recording; a 404 for one made from typed text."""
    if job.input.kind == "text":
        raise ApiError(
            404,
            "no_recording",
            f"Job {job.id} was made from typed text, not a recording: its words are at "
            f"/v1/jobs/{job.id}/transcript.",
        )
    return job


async def _output(
    services: ServicesDep, job: Job, key: str | None, what: str, stage: Stage | None = None
) -> bytes:
    """The output stored at ``key``, which ``stage`` makes (None: the job's input)."""
    if job.objects_deleted_at is not None:
        raise ApiError(
            410,
            "objects_deleted",
            f"The {what} of job {job.id} was deleted at "
            f"{job.objects_deleted_at.isoformat(timespec='seconds')} (retention or request).",
        )
    if key is None:
        raise _not_made(job, what, stage)
    try:
        return await run_in_threadpool(services.storage.get, key)
    except StorageKeyNotFound:
        raise ApiError(
            404, "output_missing", f"The {what} of job {job.id} is missing from storage."
        ) from None


def _not_made(job: Job, what: str, stage: Stage | None) -> ApiError:
    """Why the output is not there: "not yet" (409 not_ready, poll) only while it can still
    come; a job whose stages leave it out, or that ended without it, is told so, with a
    code of its own, since polling would wait for ever."""
    if stage is not None and stage not in stages_of(job):
        ran = ",".join(s.value for s in stages_of(job))
        return ApiError(
            409,
            "not_requested",
            f"Job {job.id} was submitted with the stages {ran}, without {stage.value}: it has "
            f"no {what} and will not have one. Submit it again with stages that include "
            f"{stage.value}.",
        )
    if job.status in {JobStatus.FAILED, JobStatus.CANCELED}:
        failed = job.status == JobStatus.FAILED
        ended = "failed" if failed else "was canceled"
        why = f" ({job.error.code}: {job.error.message})" if job.error else ""
        return ApiError(
            409,
            "job_failed" if failed else "job_canceled",
            f"Job {job.id} {ended}{why} before its {what} was made, so it has none. "
            f"POST /v1/jobs/{job.id}/retry runs it again from its first unfinished stage, "
            "which helps where the cause has passed (an outage, a cancel), not where it is the "
            "recording's or the options'.",
        )
    if job.status.terminal:
        return ApiError(404, "output_missing", f"Job {job.id} ended without a {what}.")
    return ApiError(
        409,
        "not_ready",
        f"The {what} of job {job.id} is not ready yet (status: {job.status.value}). "
        "Poll the job until it has succeeded.",
    )


# Media type and file extension of each transcript format ("text" is the older name of "txt").
_TRANSCRIPT_TYPES: dict[TranscriptFormat, tuple[str, str]] = {
    "txt": ("text/plain; charset=utf-8", "txt"),
    "json": ("application/json", "json"),
    "srt": ("application/x-subrip; charset=utf-8", "srt"),
    "vtt": ("text/vtt; charset=utf-8", "vtt"),
}


def _rendered(stored: bytes, typed: bool, fmt: TranscriptFormat) -> str:
    if typed:
        transcript = Transcript(text=stored.decode("utf-8"), provider="text")
    else:
        transcript = Transcript.model_validate_json(stored)
    return render_transcript(transcript, fmt)


@router.get(
    "/{job_id}/transcript",
    responses={
        200: {
            "description": "The transcript: JSON as stored plus caption `segments` (`json`), "
            "plain text (`txt`, alias `text`), SubRip captions (`srt`) or WebVTT (`vtt`).",
            "model": TranscriptDocument,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/x-subrip": {"schema": {"type": "string"}},
                "text/vtt": {"schema": {"type": "string"}},
            },
        },
        **error_responses(404, 409, 410, 422),
    },
)
async def get_transcript(
    job_id: str,
    services: ServicesDep,
    tenant: TenantDep,
    format: Annotated[Literal["txt", "text", "json", "srt", "vtt"], Query()] = "json",
) -> Response:
    job = await run_in_threadpool(services.jobs.get, job_id, tenant)
    if job.input.kind == "text":
        # Typed input is its own transcript. It has no times: its captions are paced at a
        # reading speed (shared.transcript_formats.CHARS_PER_S), within the usual cue limits,
        # since one cue of a whole message would be more than a screen can show.
        redacts = stages_of(job)[0]
        record = job.stages.get(redacts)
        if job.options.redact is not None and (
            record is None or record.status != StageStatus.SUCCEEDED
        ):
            # The stored text is redacted in place by the job's first stage: until then it
            # holds what the policy removes, which no answer may show.
            raise _not_made(job, "transcript", redacts)
        stored = await _output(services, job, job.input.key, "text")
    else:
        record = job.stages.get(Stage.STT)
        key = record.output_key if record and record.output_key else None
        stored = await _output(services, job, key, "transcript", Stage.STT)
    fmt: TranscriptFormat = "txt" if format == "text" else format
    media_type, ext = _TRANSCRIPT_TYPES[fmt]
    # In a thread: a long recording's captions take a fifth of a second of CPU (28 min), which
    # on the event loop every other request of this process would wait out.
    body = await run_in_threadpool(_rendered, stored, job.input.kind == "text", fmt)
    headers = {} if fmt == "json" else {"Content-Disposition": f'inline; filename="{job.id}.{ext}"'}
    return Response(body, media_type=media_type, headers=headers)


@media_route(
    router,
    "/{job_id}/reply",
    "The spoken reply in the job's output format.",
    {"audio/mpeg": {}, "audio/ogg": {}, "audio/wav": {}},
    *(404, 409, 410, 422),
)
async def get_reply_audio(
    job_id: str,
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    byte_range: RangeHeader = None,
) -> Response:
    job = await run_in_threadpool(services.jobs.get, job_id, tenant)
    data = await _output(services, job, job.results.reply_audio_key, "reply audio", Stage.TTS)
    ext = (job.results.reply_audio_key or "").rsplit(".", 1)[-1]
    media_type = job.results.reply_audio_media_type or "application/octet-stream"
    named = f'attachment; filename="{job.id}-reply.{ext}"'
    return served(request, data, media_type, byte_range, named)


@media_route(
    router,
    "/{job_id}/redacted-audio",
    "The recording with the redacted spans silenced or bleeped (jobs that asked for "
    "`redact_audio`).",
    {"audio/mpeg": {}},
    *(404, 409, 410, 422),
)
async def get_redacted_audio(
    job_id: str,
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    byte_range: RangeHeader = None,
) -> Response:
    job = recorded(await run_in_threadpool(services.jobs.get, job_id, tenant))
    redaction = job.options.redact
    if redaction is None or redaction.audio == "none":
        # Not "not ready": polling would never bring a copy the job did not ask for.
        raise ApiError(
            409,
            "not_requested",
            f"Job {job.id} did not ask for a redacted copy of its recording: submit the "
            "recording with redact_audio=silence or redact_audio=bleep (and redact naming "
            "what to remove, where the deployment redacts nothing by default).",
        )
    key = job.results.redacted_audio_key
    data = await _output(services, job, key, "redacted recording", Stage.STT)
    named = f'attachment; filename="{job.id}-redacted.mp3"'
    return served(request, data, "audio/mpeg", byte_range, named)


@media_route(
    router,
    "/{job_id}/listening-copy",
    "The recording as mp3, made by the stt stage where browsers cannot play the recording's "
    "own codec (AMR, ADPCM, GSM, ALAC).",
    {"audio/mpeg": {}},
    *(404, 409, 410, 422),
)
async def get_listening_copy(
    job_id: str,
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    byte_range: RangeHeader = None,
) -> Response:
    job = recorded(await run_in_threadpool(services.jobs.get, job_id, tenant))
    if job.input.codec in BROWSERS_PLAY:
        raise ApiError(
            409,
            "not_needed",
            f"Job {job.id}'s recording ({job.input.codec}) plays in browsers as it is: it is at "
            f"/v1/jobs/{job.id}/audio, and no listening copy is made.",
        )
    key = job.results.listening_copy_key
    data = await _output(services, job, key, "listening copy", Stage.STT)
    named = f'attachment; filename="{job.id}-listen.mp3"'
    return served(request, data, "audio/mpeg", byte_range, named)
