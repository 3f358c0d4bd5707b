"""A person's review of a job: corrections checked, compared with what the job says now,
stored beside the machine's output, shown in the inbox and sent to the job's webhook.

Used by the JSON API (``POST /v1/jobs/{id}/reviews``) and the review pages alike; every
refusal is an ``ApiError`` whose message says what to send instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from starlette.concurrency import run_in_threadpool

from api.deps import Services
from api.errors import ApiError
from api.hidden_characters import hidden_character
from api.review_redaction import redacted_review
from shared.errors import JobNotFound
from shared.job_effects import job_event
from shared.logging import bind
from shared.models import Job, JobStatus, utcnow
from shared.reviews import (
    REVIEW_FIELDS,
    Review,
    ReviewStore,
    corrected_values,
    intents,
    merged,
    revision,
)
from shared.webhook_models import WebhookDelivery, wire_time

log = logging.getLogger("voicepipe.api")

URGENCIES = ("low", "normal", "high")
MAX_TRANSCRIPT_CHARS = 20_000
MAX_CALLER_CHARS = 200
MAX_NUMBER_CHARS = 40
MAX_NOTE_CHARS = 2_000
# Reviews of one job submitted at the same moment: each is compared with the one stored
# before it, so a few rounds settle any realistic race.
_ROUNDS = 5


@dataclass(frozen=True)
class Submitted:
    review: Review
    # False: the review changed nothing and the latest one already said so; none was added.
    added: bool
    # The job's reviews' revision with it: their ETag, for a next If-Match.
    etag: str


class ReviewConflict(ApiError):
    """Fields the reviewer changed that someone else changed meanwhile: field -> value now."""

    def __init__(self, job_id: str, fields: dict[str, str | None]) -> None:
        names = ", ".join(f.replace("_", " ") for f in fields)
        super().__init__(
            409,
            "review_conflict",
            f"Since you read job {job_id}, someone else changed its {names}: load the job, "
            "check their values and submit again.",
        )
        self.fields = fields


def if_match_holds(if_match: str | None, etag: str) -> bool:
    """Whether an If-Match header names ``etag`` (or is ``*``); no header always holds."""
    if if_match is None:
        return True
    tags = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    return "*" in tags or etag in tags


def _invalid(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, "invalid_correction", message, param=field)


def _number(value: str, region: str) -> str | None:
    if len(value) > MAX_NUMBER_CHARS:
        raise _invalid(f"A callback number has at most {MAX_NUMBER_CHARS} characters.")
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise _invalid(
            f"The callback number {value!r} is not a valid phone number (numbers without a "
            f"country code are read as {region}). Give it as it is dialled, e.g. with its "
            "country code: +1 415 555 0100; or send an empty value for no number."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _visible(value: str, field: str, breaks: bool = False) -> None:
    problem = hidden_character(value, field, breaks)
    if problem is not None:
        raise _invalid(problem, field)


def _transcript(value: str, _region: str) -> str:
    if not value:
        raise _invalid("The corrected transcript is empty: type what the caller said.")
    if len(value) > MAX_TRANSCRIPT_CHARS:
        raise _invalid(
            f"The corrected transcript has {len(value):,} characters; at most "
            f"{MAX_TRANSCRIPT_CHARS:,} are kept."
        )
    return value


def _caller(value: str, _region: str) -> str | None:
    if len(value) > MAX_CALLER_CHARS:
        raise _invalid(f"A caller's name has at most {MAX_CALLER_CHARS} characters.")
    return value or None


def _intent(value: str, _region: str) -> str:
    if value not in intents():
        raise _invalid(f"Intent {value!r} is not one of: {', '.join(intents())}.")
    return value


def _urgency(value: str, _region: str) -> str:
    if value not in URGENCIES:
        raise _invalid(f"Urgency {value!r} is not one of: {', '.join(URGENCIES)}.")
    return value


# Fields a person types freely, refused with a hidden character where they changed them.
FREE_TEXT = ("transcript", "caller_name")

_CHECKS: dict[str, Callable[[str, str], str | None]] = {
    "transcript": _transcript,
    "callback_number": _number,
    "caller_name": _caller,
    "intent": _intent,
    "urgency": _urgency,
}


def checked(changes: dict[str, str], region: str) -> dict[str, str | None]:
    """The corrections as they are stored, in field order (an empty caller or number clears
    it); raises a 400 ``ApiError`` naming the first value that cannot be taken."""
    unknown = sorted(set(changes) - set(REVIEW_FIELDS))
    if unknown:
        raise _invalid(
            f"{', '.join(unknown)} cannot be corrected; the fields are {', '.join(REVIEW_FIELDS)}."
        )
    stored: dict[str, str | None] = {}
    for field in REVIEW_FIELDS:
        if field in changes:
            try:
                stored[field] = _CHECKS[field](changes[field].strip(), region)
            except ApiError as exc:
                # Named as the error's param: the JSON API's client and the inbox's form
                # find the field at fault without parsing the message.
                exc.param = field
                raise
    return stored


def machine_values(job: Job) -> dict[str, str | None]:
    """What the pipeline made of each reviewable field."""
    triage = job.results.triage
    return {
        "transcript": job.results.transcript,
        "callback_number": triage.callback_number if triage else None,
        "caller_name": triage.caller_name if triage else None,
        "intent": triage.intent if triage else None,
        "urgency": triage.urgency if triage else None,
    }


def reviewable(job: Job) -> bool:
    """Whether a person may review ``job`` now: once it is triaged, or has succeeded
    without a triage stage (the inbox offers its form on the same test). Before, its results
    are still to come (queued, or a stage running) or may come later (a job that failed or
    was canceled before triage can run again); a correction stored then would override
    results it was never compared with, and "done" would take from the to-review list a
    voicemail no one has seen the triage of."""
    return job.status == JobStatus.SUCCEEDED or job.results.triage is not None


def _not_reviewable(job: Job) -> ApiError:
    if not job.status.terminal:
        why = (
            f"Job {job.id} is still being processed (status {job.status.value}) and is not "
            "triaged yet: its results are still to come, so there is nothing to correct or "
            f"mark done. Wait until it is triaged or finished (GET /v1/jobs/{job.id}, or the "
            "job's callback_url event) and send the review then."
        )
    else:
        ended = "failed" if job.status == JobStatus.FAILED else "was canceled"
        again = (
            "Its recording was deleted, so it cannot run again."
            if job.objects_deleted_at is not None
            else f"Run it again (POST /v1/jobs/{job.id}/retry) and review it once it is triaged."
        )
        why = f"Job {job.id} {ended} before it was triaged: it has no results to review. {again}"
    return ApiError(409, "not_triaged", why)


def _event(job: Job, review: Review) -> WebhookDelivery | None:
    if not job.options.callback_url:
        return None
    event = job_event(
        job,
        "job.reviewed",
        review_id=review.id,
        reviewer=review.reviewer,
        at=wire_time(review.at),
        corrections=[c.model_dump() for c in review.corrections],
        done=review.done,
    )
    event.data["links"]["reviews"] = f"/v1/jobs/{job.id}/reviews"
    return event


def _submit(
    services: Services,
    tenant: str,
    job_id: str,
    values: dict[str, str | None],
    done: bool | None,
    reviewer: str,
    note: str | None,
    expected: dict[str, str | None],
    if_match: str | None,
) -> Submitted:
    store = ReviewStore(services.jobs.redis)
    job = services.jobs.get(job_id, tenant)
    # Checked once: a job only moves towards being reviewable (a retry starts from the
    # stage that failed, so a triage once made stays).
    if not reviewable(job):
        raise _not_reviewable(job)
    # Compared with what the job says in the policy's own tokens, so a number retyped as
    # the machine heard it is no correction.
    typed = values
    values, note = redacted_review(job, values, note, services.settings)
    for attempt in range(_ROUNDS):
        if attempt:
            job = services.jobs.get(job_id, tenant)
        earlier = store.for_job(tenant, job_id)
        if not if_match_holds(if_match, revision(earlier)):
            raise ApiError(
                412,
                # Not review_conflict (the 409 of a field changed under the reviewer's
                # feet): here nothing is compared, the reviews merely moved on.
                "reviews_changed",
                f"Job {job_id} was reviewed since you read its reviews (If-Match "
                f"{if_match}; they are now at {revision(earlier)}): read them again with "
                f"GET /v1/jobs/{job_id}/reviews, check what changed, and submit again.",
            )
        now = {**machine_values(job), **corrected_values(earlier)}
        corrections, conflicts = merged(values, now, expected)
        # Only what the person changed: a client that sends every field back (a form, an
        # edit of the whole job) must not be refused for a character the machine wrote in
        # a field they left as it was, which they could only take out by correcting it.
        for correction in corrections:
            if correction.field in FREE_TEXT:
                sent = typed[correction.field] or ""
                _visible(sent, correction.field, breaks=correction.field == "transcript")
        done_now = done if done is not None else bool(earlier) and earlier[-1].done
        if conflicts:
            raise ReviewConflict(job_id, conflicts)
        if not corrections and note is None and earlier and earlier[-1].done == done_now:
            # A second click of Save, or a client's retry: the latest review already says so.
            return Submitted(earlier[-1], added=False, etag=revision(earlier))
        review = Review(
            job_id=job_id,
            tenant=tenant,
            reviewer=reviewer,
            at=utcnow(),
            corrections=corrections,
            done=done_now,
            note=note,
        )
        outcome = store.add(review, earlier, _event(job, review))
        if outcome == "added":
            # Which fields, never their values: transcripts and numbers stay out of logs.
            log.info(
                "review %s of job %s: corrected %s, done %s",
                review.id,
                job_id,
                ",".join(c.field for c in corrections) or "nothing",
                done_now,
            )
            return Submitted(review, added=True, etag=revision([*earlier, review]))
        if outcome == "job_gone":
            raise JobNotFound.of(job_id)
        if outcome == "objects_deleted":
            raise _deleted(job_id)
    raise ApiError(
        409,
        "review_conflict",
        f"Other reviews of job {job_id} arrived at the same moment; load the job and submit again.",
    )


def _deleted(job_id: str) -> ApiError:
    return ApiError(
        410,
        "objects_deleted",
        f"What job {job_id}'s recording said was deleted (retention or request): its "
        "transcript, caller and number can no longer be corrected, nor a note added (a "
        "note would be kept after what it is about was deleted). Intent, urgency and done "
        "still can: send them without a note.",
    )


async def submit_review(
    services: Services,
    tenant: str,
    job_id: str,
    changes: dict[str, str],
    done: bool | None,
    reviewer: str,
    note: str | None = None,
    expected: dict[str, str | None] | None = None,
    if_match: str | None = None,
) -> Submitted:
    """Store a person's review of the tenant's job and return it; the fields whose value
    is already the job's are left out, and a review that changes nothing the latest one
    does not already say is not stored again. ``expected``: the values the person saw of
    the fields they send; ``done`` None: as the latest review left it (not done without
    one); ``if_match``: an If-Match header for the job's reviews' ``revision``. 404 for a
    job not the tenant's, 409 ``not_triaged`` for one not ``reviewable`` yet, 400 for a
    value that cannot be taken, 409 (``ReviewConflict``) for a field changed meanwhile by
    someone else, 412 for an If-Match the reviews no longer match, 410 for correcting what a
    deleted recording said."""
    # The line of an added review (in _submit) names the review and job, never the tenant's
    # values; the context adds whose it is.
    bind(tenant=tenant, job_id=job_id)
    values = checked(changes, services.settings.local.default_region)
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise _invalid(f"A note has at most {MAX_NOTE_CHARS:,} characters.", "note")
    if note is not None:
        _visible(note, "note", breaks=True)
    return await run_in_threadpool(
        _submit,
        services,
        tenant,
        job_id,
        values,
        done,
        reviewer,
        note or None,
        expected or {},
        if_match,
    )
