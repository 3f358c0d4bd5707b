"""Cancel a job, or resume a failed one at the stage that failed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.routes.jobs import JobView, _view
from shared.models import ErrorInfo, Job, JobStatus, Stage, StageStatus, utcnow
from workers.pipeline import enqueue

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.delete("/{job_id}", response_model=JobView, responses=error_responses(401, 404, 409, 422))
async def cancel_job(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobView:
    """No further stage starts; a stage already running has its result discarded."""
    await run_in_threadpool(services.jobs.get, job_id, tenant)
    refused: list[str] = []

    def cancel(job: Job) -> bool:
        if job.status == JobStatus.CANCELED:
            return False
        if job.status.terminal:
            refused.append(job.status.value)
            return False
        job.status = JobStatus.CANCELED
        job.error = ErrorInfo(code="canceled", message="The job was canceled by request.")
        job.finished_at = utcnow()
        for record in job.stages.values():
            if record.status in {StageStatus.PENDING, StageStatus.RETRYING}:
                record.status = StageStatus.SKIPPED
        return True

    job = await run_in_threadpool(services.jobs.update, job_id, cancel)
    if refused:
        raise ApiError(
            409,
            "not_cancelable",
            f"Job {job_id} has already {refused[0]}; only unfinished jobs can be canceled.",
        )
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
    resumed: list[Stage] = []

    def resume(job: Job) -> bool:
        if job.status not in {JobStatus.FAILED, JobStatus.CANCELED}:
            return False
        start = next(s for s in job.options.stages if job.stages[s].status != StageStatus.SUCCEEDED)
        for stage in job.options.stages[job.options.stages.index(start) :]:
            job.stages[stage].status = StageStatus.PENDING
            job.stages[stage].error = None
        job.status = JobStatus.QUEUED
        job.error = None
        job.failed_stage = None
        job.finished_at = None
        resumed.append(start)
        return True

    job = await run_in_threadpool(services.jobs.update, job_id, resume)
    if not resumed:
        raise ApiError(
            409,
            "not_retryable",
            f"Job {job_id} is {job.status.value}; only failed or canceled jobs can be retried.",
        )
    try:
        await run_in_threadpool(enqueue, services.celery, job, resumed[0])
    except Exception as exc:
        raise ApiError(
            503, "broker_unavailable", "The queue is not reachable; try the retry again."
        ) from exc
    return _view(job, services.settings.api.base_url)
