"""Idempotency-Key on submissions: the same key and tenant give back the same job.

A key is claimed atomically (SET NX) before anything is stored, holding the job id and the
request's digest (the upload's sha256 and the job's options); a second request with the key
gets that job, or 409 when its file or its options differ,
or 410 when that job has been deleted since: the key named one request, whose job is gone,
and running the recording again (perhaps deleted on purpose) is the client's call, with a
new key.

A claim whose job was never made, ``ABANDONED_S`` after its job id was, is free again: the
request that claimed it failed and could not release it either (the broker went away between
the two), and every retry with the key was told "in progress" for the claim's 24 hours.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from api.errors import ApiError
from shared.errors import JobNotFound
from shared.jobstore import DELETED_TTL_S, JobStore
from shared.models import Job, JobOptions, job_id_time

TTL_S = 24 * 3600
assert TTL_S <= DELETED_TTL_S, "a claim must not outlive the memory of its job's deletion"
# Far longer than any request takes from its claim to its job's record, storing a large
# upload to S3 included.
ABANDONED_S = 600


def key_of(header: str | None) -> str | None:
    """The request's Idempotency-Key, refused when the header is there but empty.

    An empty header is what ``-H "Idempotency-Key: $KEY"`` sends with KEY unset: taken as no
    key, the client's retries each made a new job or batch, the very thing it sent a key to
    prevent."""
    if header is None or header.strip():
        return header
    raise ApiError(
        400,
        "invalid_idempotency_key",
        "The Idempotency-Key header is empty. Send a key that names this request (up to 255 "
        "characters, e.g. a UUID), the same on each retry of it, or leave the header out.",
        param="Idempotency-Key",
    )


def _digest(key: str) -> str:
    # Hashed: the client's key may be long or contain anything.
    return hashlib.sha256(key.encode()).hexdigest()


def request_digest(content_sha256: str, options: JobOptions) -> str:
    """What a key's request is told by: its recording (or text) and every option. The same
    key with other options ("stages=stt" after "stt,llm,tts") is another request, not a
    repeat to answer with the first one's job."""
    return hashlib.sha256(f"{content_sha256}|{options.model_dump_json()}".encode()).hexdigest()


def replay(jobs: JobStore, tenant: str, key: str, digest: str) -> Job | None:
    """The job an earlier request with this key created, if any."""
    raw = jobs.idempotency_get(tenant, _digest(key))
    if raw is None:
        return None
    return _existing(jobs, tenant, key, raw, digest)


def claim(jobs: JobStore, tenant: str, key: str, job_id: str, digest: str) -> Job | None:
    """Claim the key for a new job; returns the earlier job instead if another request won."""
    mine = f"{job_id}|{digest}"
    if jobs.idempotency_claim(tenant, _digest(key), mine, TTL_S):
        return None
    raw = jobs.idempotency_get(tenant, _digest(key))
    # The claim there may be this very one: the client sent the SET again after its reply
    # was lost (job ids are new for each request). Taken for another request's, it answered
    # "in progress" until the claim expired, to this request and to every retry of it.
    if raw is None:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    if text == mine:
        return None
    earlier = _existing(jobs, tenant, key, text, digest)
    if earlier is not None:
        return earlier
    if jobs.idempotency_take_over(tenant, _digest(key), text, mine, TTL_S):
        return None
    # Another request took the abandoned claim over first: it is that request's now.
    return claim(jobs, tenant, key, job_id, digest)


def release(jobs: JobStore, tenant: str, key: str) -> None:
    jobs.idempotency_release(tenant, _digest(key))


def _existing(jobs: JobStore, tenant: str, key: str, raw: bytes | str, digest: str) -> Job | None:
    """The job the claim ``raw`` names, or None where the claim was abandoned."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    job_id, _, claimed_digest = text.partition("|")
    try:
        job: Job | None = jobs.get(job_id, tenant=tenant)
    except JobNotFound:
        job = None
    if job is None and _abandoned(job_id) and not jobs.was_deleted(job_id):
        return None
    if claimed_digest != digest:
        raise ApiError(
            409,
            "idempotency_conflict",
            f"Idempotency-Key {key[:64]!r} was already used with a different file or "
            "different options. Use a new key for a new request.",
        )
    if job is not None:
        return job
    if jobs.was_deleted(job_id):
        raise ApiError(
            410,
            "idempotency_job_deleted",
            f"Idempotency-Key {key[:64]!r} created job {job_id}, which has been deleted. "
            "To submit the recording again, send it with a new key.",
        )
    raise ApiError(
        409,
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still being processed; retry in a moment.",
    )


# The OpenAI SDKs send no Idempotency-Key, yet retry a call on their own (a timeout, a dropped
# connection, a 5xx), each retry numbered in `x-stainless-retry-count`; the first try's job was
# often made and is still running, so the retry ran the recording twice, billed twice. Where a
# call on the OpenAI-compatible routes carries no key, its route and request digest (the
# upload's sha256 and the job's options) stand for one, held in these same claims. It is only
# *read* for a retry (count >= 1): a first try (or a client that does not number its tries)
# always makes a job, since two identical uploads made on purpose are two jobs to the caller,
# and the content alone cannot tell them from a retry. A first try forgets the note an
# earlier call left, and every job made this way writes it, so a retry joins its own first
# try's job; two identical first tries racing each other leave their retries on the later's
# job, which is the same work.
# The note is written once the job is recorded, so a retry never meets a half-made one.
# An hour covers the SDK's default schedule (three tries of up to 600 s each).
SDK_RETRY_TTL_S = 3600


@dataclass(frozen=True)
class SdkRetry:
    """What an OpenAI-compatible call without a key says of its tries."""

    route: str
    # The call says it is a retry: it may join the job an earlier try made.
    is_retry: bool

    @classmethod
    def of(cls, route: str, retry_count: str | None) -> SdkRetry:
        count = (retry_count or "").strip()
        # ASCII digits only: "²" is a digit to str.isdigit that int() refuses.
        return cls(route, count.isascii() and count.isdigit() and int(count) >= 1)

    def key(self, digest: str) -> str:
        # A unit separator can be in no header, so no client's own key can name this claim.
        return f"\x1fsdk-retry\x1f{self.route}\x1f{digest}"


def joined(jobs: JobStore, tenant: str, retry: SdkRetry, digest: str) -> Job | None:
    """The job an earlier try of this request made, for a retry; None where there is none
    (or it has been deleted since, and the retry is run as the request it is).

    A first try forgets the job an earlier request's tries made: where it then makes none
    (a 503 the SDK retries), its retries were answered from that earlier call's job."""
    if not retry.is_retry:
        jobs.idempotency_release(tenant, _digest(retry.key(digest)))
        return None
    raw = jobs.idempotency_get(tenant, _digest(retry.key(digest)))
    if raw is None:
        return None
    try:
        return jobs.get(raw.partition("|")[0], tenant=tenant)
    except JobNotFound:
        return None


def note(jobs: JobStore, tenant: str, retry: SdkRetry, job_id: str, digest: str) -> None:
    """Name ``job_id`` as the job this request's retries join."""
    value = f"{job_id}|{digest}"
    jobs.idempotency_note(tenant, _digest(retry.key(digest)), value, SDK_RETRY_TTL_S)


def _abandoned(job_id: str) -> bool:
    made = job_id_time(job_id)
    return made is not None and time.time() - made > ABANDONED_S
