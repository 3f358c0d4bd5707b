"""Waiting, within a bound, for a job an OpenAI-compatible call started.

OpenAI's audio calls answer with the result; ours are jobs in queues. The call polls the
job record (one small Redis read) from a few milliseconds apart at first, for the short
clips these calls are mostly made with, to a quarter of a second for long ones.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import redis
from fastapi import Header
from starlette.concurrency import run_in_threadpool

from api.deps import Services
from api.errors import ApiError
from shared.models import Job, JobStatus

# OpenAI's SDKs retry 408, 409, 429 and 5xx answers unless told not to; a retry would submit
# the recording again as a new job, so our refusals after a job exists say "do not".
NO_RETRY = {"x-should-retry": "false"}

# As on POST /v1/jobs: a call sent again with its key (the SDK's retry after a dropped
# connection, which would otherwise run the recording a second time) is answered from the
# job, or jobs, the first one made.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=255,
        description="Send a call again safely: the same key answers from the same job.",
    ),
]

# The number of the try the OpenAI SDKs (all of Stainless's) send each call with: 0 first,
# then 1, 2, … for their own retries. A retry without a key joins its first try's job
# (api.idempotency.SdkRetry).
SdkRetryCount = Annotated[
    str | None,
    Header(
        alias="x-stainless-retry-count",
        max_length=16,
        description="Sent by OpenAI's SDKs: a retry (1 or more) of a call without an "
        "Idempotency-Key joins the job its first try made.",
    ),
]


@contextmanager
def conflict_not_retried() -> Iterator[None]:
    """A key reused for another request is refused the same however often it is sent: the
    SDKs retry a 409 unless told not to."""
    try:
        yield
    except ApiError as exc:
        if exc.code == "idempotency_conflict":
            exc.headers = {**(exc.headers or {}), **NO_RETRY}
        raise


async def finished(services: Services, job: Job, timeout_s: float) -> Job:
    """The job once it has ended; a 504 naming the job to poll when it takes too long."""
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while not job.status.terminal:
        if time.monotonic() >= deadline:
            base = services.settings.api.base_url
            raise ApiError(
                504,
                "job_still_running",
                f"The job {job.id} is still running ({job.status.value}) after "
                f"{timeout_s:g} s; nothing is lost. Poll {base}/v1/jobs/{job.id} for its result.",
                headers={**NO_RETRY, "Location": f"{base}/v1/jobs/{job.id}"},
            )
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 0.25)
        try:
            job = await run_in_threadpool(services.jobs.get, job.id, job.tenant)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # The route-wide 503 would let the SDK retry, submitting the recording again
            # while this job still runs (and is billed): say so, and where to poll.
            raise after_submission(
                services, job, 503, "broker_unavailable", "The job store stopped answering"
            ) from exc
    return job


def after_submission(services: Services, job: Job, status: int, code: str, what: str) -> ApiError:
    """A refusal for a dependency that failed once ``job`` exists: not to be retried (a retry
    is a second job), naming the job to poll instead."""
    base = services.settings.api.base_url
    return ApiError(
        status,
        code,
        f"{what} while job {job.id} ran; the job itself is not lost. Poll "
        f"{base}/v1/jobs/{job.id} for its result rather than sending the request again.",
        headers={**NO_RETRY, "Location": f"{base}/v1/jobs/{job.id}"},
    )


def failure(job: Job) -> ApiError:
    """The error a job that did not succeed is answered with."""
    if job.status == JobStatus.CANCELED:
        return ApiError(409, "job_canceled", f"The job {job.id} was canceled.", NO_RETRY)
    error = job.error
    code = error.code if error else "job_failed"
    message = error.message if error else "The job failed."
    # What the recording or text itself caused is the client's to fix (400); anything else
    # is ours or a vendor's (502): the job keeps its record for a look or a retry.
    status = 400 if code.rpartition(".")[2] in _INPUT_CODES else 502
    return ApiError(status, code, f"{message} (job {job.id})", NO_RETRY)


_INPUT_CODES = frozenset(
    {
        "empty_media",
        "empty_text",
        "duration_exceeded",
        "unsupported_language",
        "unknown_voice",
        "invalid_output_format",
        # A stage's decode refusing the recording (damage past what intake decodes).
        "undecodable",
        "no_audio_stream",
        "unsupported_format",
    }
)
