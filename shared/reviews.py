"""People's corrections of a job's results, kept as records of their own beside the machine's.

The job record keeps what the pipeline made; each review adds a record (who, when, which
fields went from what to what, whether the job is done with). What a job *says* now is its
machine output overridden, field by field, by the latest correction (``corrected``). A review
is stored in one script with the inbox overlay it changes and the ``job.reviewed`` webhook
event it owes, and only if no other review of the job came in since its author read them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Literal

import redis
from pydantic import BaseModel, Field

from shared.batch_keys import SETTLE
from shared.inbox_rows import (
    SEP,
    join_row,
    number_text,
    overlay_facets,
    overlay_key,
    record_key,
    reviews_key,
    search_text,
)
from shared.intents import INTENTS
from shared.webhook_models import DUE, WebhookDelivery, delivery_key, job_deliveries_key

ReviewField = Literal["transcript", "callback_number", "caller_name", "intent", "urgency"]
REVIEW_FIELDS: tuple[ReviewField, ...] = (
    "transcript",
    "callback_number",
    "caller_name",
    "intent",
    "urgency",
)
# What the recording said about the caller: retention deletes these from reviews too.
PERSONAL_FIELDS: frozenset[str] = frozenset({"transcript", "callback_number", "caller_name"})
AddOutcome = Literal["added", "stale", "job_gone", "objects_deleted"]


def intents() -> list[str]:
    """The intents a person may choose from (the triage's own vocabulary)."""
    return list(INTENTS)


def new_review_id() -> str:
    return f"rev_{secrets.token_hex(10)}"


class Correction(BaseModel):
    field: ReviewField
    before: str | None
    after: str | None


class Review(BaseModel):
    id: str = Field(default_factory=new_review_id)
    job_id: str
    tenant: str
    reviewer: str
    at: datetime
    corrections: list[Correction]
    done: bool
    note: str | None = None


def corrected_values(reviews: list[Review]) -> dict[str, str | None]:
    """Each corrected field's latest value, from reviews oldest first."""
    values: dict[str, str | None] = {}
    for review in reviews:
        for correction in review.corrections:
            values[correction.field] = correction.after
    return values


def revision(reviews: list[Review]) -> str:
    """The job's reviews' entity tag (quoted, for ETag and If-Match): their count and the
    latest's id, so any review added since gives another."""
    return f'"{len(reviews)}-{reviews[-1].id if reviews else "none"}"'


def _plain(value: str | None) -> str:
    # As a form sends it back: CRLF line breaks, surrounding blanks, "" for no value.
    return (value or "").replace("\r\n", "\n").strip()


def merged(
    values: dict[str, str | None],
    now: dict[str, str | None],
    expected: dict[str, str | None],
) -> tuple[list[Correction], dict[str, str | None]]:
    """The corrections ``values`` make to what the job says ``now``, and the conflicts:
    field -> its value now, for each field its author changed from the value they saw
    (``expected``) when someone else changed it meanwhile to something else.

    A field sent as its author saw it is no change of theirs, whatever it says now: a form
    sends every field, and its stale values must not undo another person's corrections. A
    field left out of ``expected`` is taken as seen as it is now.
    """
    corrections: list[Correction] = []
    conflicts: dict[str, str | None] = {}
    for field, value in values.items():
        seen = expected.get(field, now[field])
        if field in expected and _plain(value) == _plain(seen):
            continue
        if value == now[field]:
            continue
        if _plain(seen) != _plain(now[field]):
            conflicts[field] = now[field]
        else:
            corrections.append(Correction(field=field, before=now[field], after=value))
    return corrections, conflicts


def overlay_row(reviews: list[Review]) -> str:
    """The inbox overlay of a job with these reviews: done or not as the latest says, the
    corrected fields shown, and the corrections searchable."""
    latest = reviews[-1]
    values = corrected_values(reviews)
    shown = {f: v for f, v in values.items() if f != "transcript"}
    document = {
        "reviewed": latest.done,
        "reviewed_at": latest.at.isoformat(),
        "reviewer": latest.reviewer,
        "corrected": shown,
        # The transcript too, which ``corrected`` leaves out: the list tells by these which
        # review reasons a correction settled (a cleared value settles none).
        "corrected_fields": [f for f, v in values.items() if v],
    }
    search = search_text(
        values.get("transcript"),
        values.get("caller_name"),
        number_text(values.get("callback_number")),
    )
    facets = overlay_facets(latest.done, values.get("intent"), values.get("urgency"))
    return join_row(facets, document, search)


# KEYS: job record, the job's reviews, the tenant's overlay hash, webhooks due, the job's
# webhook list. ARGV: reviews the author read, review, job id, overlay row, "1" when the
# review corrects what the recording said or has a note, event id and record ("" for none). A review
# already last on the list byte for byte is this very call's (each review has its own id),
# sent again by the client after a lost reply: added, not "stale", which would have its
# author redo a review that was kept.
_ADD = (
    SETTLE
    + """
local job = redis.call('GET', KEYS[1])
if not job then return 'job_gone' end
if ARGV[5] == '1' and cjson.decode(job)['objects_deleted_at'] ~= cjson.null then
    return 'objects_deleted'
end
local seen = tonumber(ARGV[1])
local now_kept = redis.call('LLEN', KEYS[2])
if now_kept == seen + 1 and redis.call('LINDEX', KEYS[2], -1) == ARGV[2] then return 'added' end
if now_kept ~= seen then return 'stale' end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
if ARGV[6] ~= '' then
    redis.call('SET', '@WEBHOOK@' .. ARGV[6], ARGV[7])
    redis.call('ZADD', KEYS[4], now_s(), ARGV[6])
    redis.call('RPUSH', KEYS[5], ARGV[6])
end
return 'added'
""".replace("@WEBHOOK@", delivery_key(""))
)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _parse(raws: list[bytes] | list[bytes | str]) -> list[Review]:
    return [Review.model_validate_json(raw) for raw in raws]


class ReviewStore:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._add = client.register_script(_ADD)

    def for_job(self, tenant: str, job_id: str) -> list[Review]:
        """The job's reviews, oldest first (none for another tenant's job)."""
        return _parse(self.redis.lrange(reviews_key(tenant, job_id), 0, -1))

    def for_jobs(self, tenant: str, job_ids: list[str]) -> dict[str, list[Review]]:
        """Several jobs' reviews in one round trip (exports read a page at a time)."""
        pipe = self.redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.lrange(reviews_key(tenant, job_id), 0, -1)
        return {job_id: _parse(raws) for job_id, raws in zip(job_ids, pipe.execute(), strict=True)}

    def done_among(self, tenant: str, job_ids: list[str]) -> list[str]:
        """Those of ``job_ids`` a person marked done (one read of the inbox overlay)."""
        if not job_ids:
            return []
        overlays = self.redis.hmget(overlay_key(tenant), job_ids)
        done = f"1{SEP}"
        return [
            job_id
            for job_id, over in zip(job_ids, overlays, strict=True)
            if over is not None and _text(over[:2]) == done
        ]

    def corrected_triage(
        self, tenant: str, job_ids: list[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        """The intent and urgency people corrected, by job, for those of ``job_ids`` with
        either corrected (one read of the inbox overlay, whose facets hold them)."""
        if not job_ids:
            return {}
        found: dict[str, tuple[str | None, str | None]] = {}
        for job_id, over in zip(
            job_ids, self.redis.hmget(overlay_key(tenant), job_ids), strict=True
        ):
            if over is None:
                continue
            _, intent, urgency = _text(over).split(SEP, 3)[:3]
            if intent or urgency:
                found[job_id] = (intent or None, urgency or None)
        return found

    def corrected(self, tenant: str, job_id: str) -> dict[str, str | None]:
        """Field -> its latest corrected value, for the fields a person corrected."""
        return corrected_values(self.for_job(tenant, job_id))

    def add(
        self, review: Review, earlier: list[Review], event: WebhookDelivery | None = None
    ) -> AddOutcome:
        """Store ``review`` with the overlay of the job's reviews and ``event``, if the job's
        reviews are still the ``earlier`` ones its author saw ("stale": read again, redo)."""
        # A note counts: it repeats what the recording said as often as not, and retention
        # has dropped the notes already there, so one added after would be kept for good.
        personal = review.note is not None or any(
            c.field in PERSONAL_FIELDS for c in review.corrections
        )
        keys = [
            record_key(review.job_id),
            reviews_key(review.tenant, review.job_id),
            overlay_key(review.tenant),
            DUE,
            job_deliveries_key(review.job_id),
        ]
        args: list[str | int] = [
            len(earlier),
            review.model_dump_json(),
            review.job_id,
            overlay_row([*earlier, review]),
            "1" if personal else "0",
            event.id if event else "",
            event.model_dump_json() if event else "",
        ]
        outcome = self._add(keys=keys, args=args)
        text = outcome.decode() if isinstance(outcome, bytes) else str(outcome)
        assert text in {"added", "stale", "job_gone", "objects_deleted"}, text
        return text  # type: ignore[return-value]

    def forget_content(self, tenant: str, job_id: str) -> None:
        """Drop what the recording said (transcript, caller, number) from the job's reviews
        and its overlay, for retention, and the reviewers' notes, which repeat it as often as
        not ("Rupert called again about the boiler, 0161 …"); keeps who reviewed when, and
        intent and urgency."""

        def scrub(reviews: list[Review]) -> bool:
            if not any(c.field in PERSONAL_FIELDS and (c.before or c.after)
                       for r in reviews for c in r.corrections) and not any(
                r.note for r in reviews):  # fmt: skip
                return False
            for review in reviews:
                review.note = None
                for correction in review.corrections:
                    if correction.field in PERSONAL_FIELDS:
                        correction.before = correction.after = None
            return True

        self.rewrite(tenant, job_id, scrub)

    def rewrite(self, tenant: str, job_id: str, change: Callable[[list[Review]], bool]) -> bool:
        """Store the job's reviews as ``change`` edits them in place, with the overlay made
        from them, in one transaction; only when ``change`` says it changed something."""
        key = reviews_key(tenant, job_id)
        changed = False

        def apply(pipe: redis.client.Pipeline) -> None:
            nonlocal changed
            reviews = _parse(pipe.lrange(key, 0, -1))
            changed = bool(reviews) and change(reviews)
            if not changed:
                return
            pipe.multi()
            pipe.delete(key)
            pipe.rpush(key, *(r.model_dump_json() for r in reviews))
            pipe.hset(overlay_key(tenant), job_id, overlay_row(reviews))

        self.redis.transaction(apply, key)
        return changed
