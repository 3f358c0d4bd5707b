"""Cancel a job, or resume a failed one at the stage that failed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.routes.jobs import JobView, _view
from shared.job_transitions import Decision, cancel, resume
from shared.models import JobStatus
from shared.pipeline import enqueue
from shared.retention import purge

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.delete("/{job_id}", response_model=JobView, responses=error_responses(401, 404, 422))
async def cancel_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobView:
    """An unfinished job is canceled: no further stage starts, and a stage already running
    has its result discarded. A finished job has its input and outputs deleted (the record
    stays, saying when)."""
    job = await run_in_threadpool(services.jobs.get, job_id, tenant)
    if job.status.terminal:
        job = await run_in_threadpool(purge, services.jobs, services.storage, job_id)
    else:
        job = await run_in_threadpool(services.jobs.update, job_id, cancel)
        if job.status.terminal and job.status != JobStatus.CANCELED:
            # It ended while we asked: its objects are what the client wanted gone.
            job = await run_in_threadpool(purge, services.jobs, services.storage, job_id)
    return _view(job, services.settings.api.base_url)


@router.post(
    "/{job_id}/retry",
    status_code=202,
    response_model=JobView,
    responses=error_responses(401, 404, 409, 422, 503),
)
async def retry_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobView:
    """Run a failed or canceled job again from its first unfinished stage.

    Stages that succeeded keep their outputs and are not run again.
    """
    await run_in_threadpool(services.jobs.get, job_id, tenant)
    resumed = Decision(resume)
    job = await run_in_threadpool(services.jobs.update, job_id, resumed)
    start = resumed.result
    if start is None:
        raise ApiError(
            409,
            "not_retryable",
            f"Job {job_id} is {job.status.value}; only failed or canceled jobs can be retried.",
        )
    try:
        await run_in_threadpool(enqueue, services.celery, job, start)
    except Exception as exc:
        raise ApiError(
            503, "broker_unavailable", "The queue is not reachable; try the retry again."
        ) from exc
    return _view(job, services.settings.api.base_url)
