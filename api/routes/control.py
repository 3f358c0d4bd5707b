"""Cancel a job, or resume a failed one at the stage that failed."""

from __future__ import annotations

import logging
from functools import partial

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.routes.jobs import JobView, _view
from api.state_conflicts import job_not_retryable
from shared.errors import BatchCanceled
from shared.job_transitions import RETRYABLE, Decision, cancel, resume
from shared.kept_usage import kept_write
from shared.logging import bind
from shared.models import Job
from shared.pipeline import resumed_message
from shared.retention import purge

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])
log = logging.getLogger("voicepipe.api")


@router.post("/{job_id}/cancel", response_model=JobView, responses=error_responses(401, 404, 422))
async def cancel_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobView:
    """An unfinished job is canceled: no further stage starts, and a stage already running
    has its result discarded. A finished job is answered as it is (canceling is repeatable)."""
    bind(tenant=tenant, job_id=job_id)
    await run_in_threadpool(services.jobs.get, job_id, tenant)
    canceled = Decision(cancel)
    job = await run_in_threadpool(services.jobs.update, job_id, canceled)
    if canceled.result:
        log.info("job %s canceled", job_id)
    else:
        log.info("job %s not canceled: it had already ended (%s)", job_id, job.status.value)
    return _view(job, services.settings.api.base_url)


@router.delete(
    "/{job_id}", status_code=204, response_class=Response, responses=error_responses(401, 404, 422)
)
async def delete_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> Response:
    """The job is gone: canceled if unfinished, its input and outputs deleted, then its
    record; afterwards every operation on it answers 404. (Retention deletes only the
    objects and keeps the record, which then answers 410 for them.)"""
    bind(tenant=tenant, job_id=job_id)
    await run_in_threadpool(services.jobs.get, job_id, tenant)
    job = await run_in_threadpool(services.jobs.update, job_id, cancel)
    # A stage still running finds no record when it finishes and deletes its own output
    # (workers.stage); everything written before is deleted here.
    await run_in_threadpool(purge, services.jobs, services.storage, job_id)
    # What it consumed stays for the usage reports: deleting a job does not unbill it.
    keep = partial(kept_write, settings=services.settings)
    await run_in_threadpool(services.jobs.delete, job, keep)
    log.info("job %s deleted", job_id)
    return Response(status_code=204)


@router.post(
    "/{job_id}/retry",
    status_code=202,
    response_model=JobView,
    responses=error_responses(401, 404, 409, 410, 422, 503),
)
async def retry_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobView:
    """Run a failed or canceled job again from its first unfinished stage.

    Stages that succeeded keep their outputs and are not run again.
    """
    bind(tenant=tenant, job_id=job_id)
    await run_in_threadpool(services.jobs.get, job_id, tenant)
    resumed = Decision(resume)
    # The stage's message goes with the write that queues the job: both or neither, so a
    # broker lost between the two never leaves the job queued with nothing to run it.
    try:
        job = await run_in_threadpool(
            services.jobs.update, job_id, resumed, resumed_message(services.celery, resumed)
        )
    except BatchCanceled as exc:
        raise ApiError(409, "not_retryable", exc.message) from None
    if resumed.result is None:
        raise _not_retryable(job)
    log.info("job %s retried from its %s stage", job_id, resumed.result.value)
    return _view(job, services.settings.api.base_url)


def _not_retryable(job: Job) -> ApiError:
    if job.status not in RETRYABLE:
        return job_not_retryable(job)
    if job.objects_deleted_at is not None:
        # Its input went with them: there is nothing left for a stage to run on.
        return ApiError(
            410,
            "objects_deleted",
            f"Job {job.id} cannot run again: its recording and outputs were deleted at "
            f"{job.objects_deleted_at.isoformat(timespec='seconds')} (retention, "
            "delete_after_seconds). Submit the recording again as a new job.",
        )
    return job_not_retryable(job)
