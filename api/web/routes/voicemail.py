"""/inbox/jobs/{id}: one voicemail, its review form, and its recordings for the players."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.hidden_characters import without_hidden
from api.reviewing import ReviewConflict, submit_review
from api.web.access import PageError, Visitor, VisitorDep, checked_form, services_of
from api.web.inbox_view import parse_query
from api.web.media import media_response
from api.web.pages import render
from api.web.voicemail import (
    LABELS,
    URGENCIES,
    Voicemail,
    already_so,
    changes_from,
    conflict_message,
    load_voicemail,
    seen_from,
)
from shared.errors import JobNotFound, StorageKeyNotFound, StorageUnavailable
from shared.inbox import next_after
from shared.models import Job
from shared.reviews import intents

router = APIRouter(prefix="/inbox")
MAX_NOTE = 2000


def _not_found(job_id: str) -> PageError:
    # The same answer for another tenant's voicemail as for none at all.
    return PageError(404, "No such voicemail", f"There is no voicemail {job_id} in this inbox.")


async def _load(request: Request, visitor: Visitor, job_id: str) -> Voicemail:
    try:
        return await run_in_threadpool(load_voicemail, services_of(request), visitor.tenant, job_id)
    except JobNotFound:
        raise _not_found(job_id) from None


async def _page(
    request: Request,
    visitor: Visitor,
    found: Voicemail,
    status_code: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
    seen: dict[str, str] | None = None,
    invalid: str | None = None,
) -> Response:
    # The list the person opened this voicemail from (its filters are in the link), for
    # the link back to it and the one on to its next voicemail.
    query = parse_query(request.query_params, tuple(intents()))
    services = services_of(request)
    next_job = await run_in_threadpool(
        next_after, services.jobs.redis, visitor.tenant, query.to_filter(), found.job.id
    )
    return await render(
        request,
        "voicemail.html",
        visitor.session,
        status_code=status_code,
        vm=found,
        job=found.job,
        urgencies=URGENCIES,
        error=error,
        # The field the error names: marked invalid, described by the error, focused.
        invalid=invalid,
        saved=request.query_params.get("saved") == "1",
        form=form or found.shown,
        # What the form shows before the person types: a save applies only what they
        # changed from it, and refuses a field someone else changed meanwhile.
        seen=seen or found.shown,
        query=query,
        next_job=next_job,
    )


@router.get("/jobs/{job_id}")
async def voicemail(job_id: str, request: Request, visitor: VisitorDep) -> Response:
    return await _page(request, visitor, await _load(request, visitor, job_id))


@router.post("/jobs/{job_id}/review")
async def review(job_id: str, request: Request, visitor: VisitorDep) -> Response:
    form = await checked_form(request, visitor.session)
    found = await _load(request, visitor, job_id)
    sent = {name: value for name, value in form.items() if isinstance(value, str)}
    seen = seen_from(sent, found.shown)
    changes = changes_from(sent, seen)
    same = already_so(changes, found.current, services_of(request).settings.local.default_region)
    changes = {field: value for field, value in changes.items() if field not in same}
    ticked = sent.get("done") == "yes"
    # Done left as the form showed it stays as it is now: someone may have changed it.
    done = ticked if ticked != (seen["done"] == "yes") else None
    note = without_hidden(sent.get("note", ""), breaks=True).strip()[:MAX_NOTE] or None
    # An unticked box the form showed ticked takes a mistaken Done mark back: a change too.
    if not (changes or ticked or done is False or note):
        return await _page(
            request,
            visitor,
            found,
            400,
            "Nothing was changed: "
            + "".join(f"the {LABELS[f]} you gave is what it already says; " for f in same)
            + "correct a field, or mark the voicemail done.",
            sent,
            seen,
        )
    try:
        await submit_review(
            services_of(request),
            visitor.tenant,
            found.job.id,
            changes,
            done,
            visitor.reviewer,
            note,
            expected={field: seen[field] or None for field in changes},
        )
    except ReviewConflict as exc:
        # Shown again as it is now, but for what the person typed; saving that again
        # replaces the values they have now been shown.
        found = await _load(request, visitor, job_id)
        kept = {**sent, **found.shown, **{field: sent[field] for field in changes}}
        if done is not None:
            # Done as the person set it; left as it showed, as it is now (someone may
            # have marked it), or saving again would undo their mark.
            kept["done"] = "yes" if done else ""
        message = conflict_message(exc.fields)
        return await _page(request, visitor, found, 409, message, kept)
    except ApiError as exc:
        # The service's own message: it says which value was refused and why.
        return await _page(
            request, visitor, found, exc.status_code, exc.message, sent, seen, exc.param
        )
    except JobNotFound:
        raise _not_found(job_id) from None
    query = parse_query(request.query_params, tuple(intents()))
    # No #review fragment: a browser skips autofocus on a page opened at one, and the
    # message's autofocus is what takes the reader (and a screen reader's focus) to it.
    return RedirectResponse(query.job_url(found.job.id, saved="1"), status_code=303)


async def _recording(request: Request, job: Job, key: str | None, media_type: str) -> Response:
    if key is None or job.objects_deleted_at is not None:
        raise PageError(404, "No recording", "This recording is not (or no longer) stored.")
    services = services_of(request)
    try:
        data = await run_in_threadpool(services.storage.get, key)
    except StorageKeyNotFound:
        raise PageError(404, "No recording", "This recording is missing from storage.") from None
    except StorageUnavailable as exc:
        raise PageError(503, "Storage unavailable", exc.message) from exc
    return media_response(data, media_type, request.headers.get("range"))


async def _job(request: Request, visitor: Visitor, job_id: str) -> Job:
    try:
        return await run_in_threadpool(services_of(request).jobs.get, job_id, visitor.tenant)
    except JobNotFound:
        raise _not_found(job_id) from None


@router.get("/jobs/{job_id}/audio")
async def audio(job_id: str, request: Request, visitor: VisitorDep) -> Response:
    job = await _job(request, visitor, job_id)
    if job.results.listening_copy_key:
        # The recording's codec is one browsers do not play (AMR, ADPCM, ...).
        return await _recording(request, job, job.results.listening_copy_key, "audio/mpeg")
    key = job.input.key if job.input.kind == "audio" else None
    return await _recording(request, job, key, job.input.media_type)


@router.get("/jobs/{job_id}/reply-audio")
async def reply_audio(job_id: str, request: Request, visitor: VisitorDep) -> Response:
    job = await _job(request, visitor, job_id)
    media_type = job.results.reply_audio_media_type or "application/octet-stream"
    return await _recording(request, job, job.results.reply_audio_key, media_type)
