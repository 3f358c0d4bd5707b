"""Changes of a job that a client asks for, shared by the API and the batch workers.

Each is a ``change`` for ``JobStore.update``: it edits the job in place and returns
whether there was anything to write.
"""

from __future__ import annotations

from shared.models import ErrorInfo, Job, JobStatus, Stage, StageStatus, utcnow

RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELED})


def cancel(job: Job, reason: str = "The job was canceled by request.") -> bool:
    """No further stage starts; a stage already running has its result discarded."""
    if job.status.terminal:
        return False
    job.status = JobStatus.CANCELED
    job.error = ErrorInfo(code="canceled", message=reason)
    job.finished_at = utcnow()
    for record in job.stages.values():
        if record.status in {StageStatus.PENDING, StageStatus.RETRYING}:
            record.status = StageStatus.SKIPPED
    return True


def resume(job: Job) -> Stage | None:
    """Make a failed or canceled job run again from its first unfinished stage, keeping
    what earlier stages stored; the stage to queue, or None when the job is not retryable."""
    if job.status not in RETRYABLE or job.objects_deleted_at is not None:
        return None
    start = next(s for s in job.options.stages if job.stages[s].status != StageStatus.SUCCEEDED)
    for stage in job.options.stages[job.options.stages.index(start) :]:
        job.stages[stage].status = StageStatus.PENDING
        job.stages[stage].error = None
    job.status = JobStatus.QUEUED
    job.error = None
    job.failed_stage = None
    job.finished_at = None
    return start
