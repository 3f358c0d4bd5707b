"""Every 409 of cancel and retry, of a batch and of a job, is a sentence saying what state the
batch or job is in and what can be done instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.batch_keys import batch_key
from shared.batches import Batch, BatchItem
from shared.models import JobOptions, JobStatus, Stage
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.app_client import app_client, services_of
from tests.unit.workers.test_batch_retry_cancel import completed_batch


def _error(answer: Any) -> tuple[str, str]:
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    return error["code"], error["message"]


def test_cancelling_a_completed_batch_with_failed_jobs_says_it_completed_and_how_to_retry(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    batch = completed_batch(services_of(http), [JobStatus.FAILED, JobStatus.SUCCEEDED])

    # Before: "Batch bat_… has already completed." and no word of what could be done.
    assert _error(http.post(f"/v1/batches/{batch.id}/cancel")) == (
        "not_cancelable",
        f"Batch {batch.id} has completed: there is nothing left to cancel. To run its 1 "
        f"failed job again, POST /v1/batches/{batch.id}/retry.",
    )


def test_cancelling_a_completed_batch_without_failures_points_to_its_results(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    batch = completed_batch(services_of(http), [JobStatus.SUCCEEDED])

    assert _error(http.post(f"/v1/batches/{batch.id}/cancel")) == (
        "not_cancelable",
        f"Batch {batch.id} has completed: there is nothing left to cancel. Its results are "
        f"at GET /v1/batches/{batch.id}/results.",
    )


def test_retrying_a_batch_with_no_failed_jobs_says_whether_it_completed_or_still_runs(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    done = completed_batch(services, [JobStatus.SUCCEEDED])
    running = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    services.batches.create(running, [BatchItem(key="vm.wav")])
    services.batches.chunk_done(running.id, 0, 1)

    # Before: "Batch bat_… has no failed jobs." for both, whether it had ended or not.
    assert _error(http.post(f"/v1/batches/{done.id}/retry")) == (
        "nothing_to_retry",
        f"Batch {done.id} has completed and none of its jobs failed: there is nothing to run "
        f"again. Its results are at GET /v1/batches/{done.id}/results.",
    )
    assert _error(http.post(f"/v1/batches/{running.id}/retry")) == (
        "nothing_to_retry",
        f"Batch {running.id} is still running and none of its jobs has failed so far: there "
        "is nothing to run again yet. Once it has completed, retry it if some failed.",
    )


def test_retrying_a_canceled_batch_says_it_was_canceled_and_what_to_do(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = completed_batch(services, [JobStatus.FAILED])
    services.batches.redis.hset(batch_key(batch.id), "canceled", "1")

    assert _error(http.post(f"/v1/batches/{batch.id}/retry")) == (
        "not_retryable",
        f"Batch {batch.id} was canceled: its jobs do not run again. Submit the items to run "
        "again as a new batch.",
    )


def test_retrying_a_job_that_has_not_failed_says_its_state_in_a_sentence(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    succeeded = voicemail_job(tenant="default")
    queued = voicemail_job(tenant="default", status=JobStatus.QUEUED, transcript=None)
    for job in (succeeded, queued):
        services.jobs.create(job)

    # Before: "Job … is succeeded; only failed or canceled jobs can be retried."
    assert _error(http.post(f"/v1/jobs/{succeeded.id}/retry")) == (
        "not_retryable",
        f"Job {succeeded.id} has succeeded: there is nothing to run again. To run its "
        "recording again, submit it as a new job.",
    )
    assert _error(http.post(f"/v1/jobs/{queued.id}/retry")) == (
        "not_retryable",
        f"Job {queued.id} has not ended (it is queued): only a failed or canceled job runs "
        f"again. Wait for it to end, or cancel it first with POST /v1/jobs/{queued.id}/cancel.",
    )
