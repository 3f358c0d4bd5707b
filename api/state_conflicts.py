"""The 409 answers to cancel and retry, of a batch and of a job: each says what state the
batch or job is in and what can be done instead, since the client asked for something that
state does not allow."""

from __future__ import annotations

from api.errors import ApiError
from shared.batchstore import BatchState
from shared.models import Job, JobStatus


def _results(batch_id: str) -> str:
    return f"Its results are at GET /v1/batches/{batch_id}/results."


def batch_not_cancelable(state: BatchState) -> ApiError:
    """A canceled or completed batch (``state`` read after the refused cancel)."""
    batch_id = state.batch.id
    if state.canceled:
        return ApiError(
            409,
            "not_cancelable",
            f"Batch {batch_id} was canceled: there is nothing left to cancel, and its jobs do "
            "not run again. To run its items again, submit them as a new batch.",
        )
    failed = state.count("status:failed")
    then = (
        f"To run its {failed} failed job{'s' if failed > 1 else ''} again, "
        f"POST /v1/batches/{batch_id}/retry."
        if failed
        else _results(batch_id)
    )
    return ApiError(
        409,
        "not_cancelable",
        f"Batch {batch_id} has completed: there is nothing left to cancel. {then}",
    )


def batch_canceled_not_retryable(batch_id: str) -> ApiError:
    return ApiError(
        409,
        "not_retryable",
        f"Batch {batch_id} was canceled: its jobs do not run again. Submit the items to run "
        "again as a new batch.",
    )


def batch_nothing_to_retry(state: BatchState) -> ApiError:
    batch_id = state.batch.id
    if state.status == "completed":
        said = (
            f"Batch {batch_id} has completed and none of its jobs failed: there is nothing to "
            f"run again. {_results(batch_id)}"
        )
    else:
        said = (
            f"Batch {batch_id} is still running and none of its jobs has failed so far: there "
            "is nothing to run again yet. Once it has completed, retry it if some failed."
        )
    return ApiError(409, "nothing_to_retry", said)


def job_not_retryable(job: Job) -> ApiError:
    """A job neither failed nor canceled, or one with no stage left to run."""
    if job.status == JobStatus.SUCCEEDED:
        said = (
            f"Job {job.id} has succeeded: there is nothing to run again. To run its recording "
            "again, submit it as a new job."
        )
    elif not job.status.terminal:
        said = (
            f"Job {job.id} has not ended (it is {job.status.value}): only a failed or canceled "
            f"job runs again. Wait for it to end, or cancel it first with "
            f"POST /v1/jobs/{job.id}/cancel."
        )
    else:
        ended = "failed" if job.status == JobStatus.FAILED else "was canceled"
        said = (
            f"Job {job.id} {ended} but has no stage left to run: submit its recording again "
            "as a new job."
        )
    return ApiError(409, "not_retryable", said)
