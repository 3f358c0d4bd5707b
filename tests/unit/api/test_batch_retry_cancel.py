"""POST /v1/batches/{id}/retry and .../cancel one after the other: a cancel sent after an
accepted retry is accepted (the batch runs again from the retry on), and a canceled batch,
or one of its jobs, is not run again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.batch_keys import batch_key
from shared.batches import batch_job_id
from shared.models import JobStatus
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of
from tests.unit.workers.test_batch_retry_cancel import batch_events, completed_batch


def test_a_cancel_sent_right_after_an_accepted_retry_is_accepted_too(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = completed_batch(services, [JobStatus.FAILED, JobStatus.SUCCEEDED])

    retried = http.post(f"/v1/batches/{batch.id}/retry")
    canceled = http.post(f"/v1/batches/{batch.id}/cancel")

    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "running"
    assert retried.json()["finished_at"] is None
    assert canceled.status_code == 202, canceled.text
    assert services.batches.get(batch.id).canceled


def test_retrying_a_canceled_batch_is_refused_and_runs_nothing(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = completed_batch(services, [JobStatus.FAILED])
    services.batches.redis.hset(batch_key(batch.id), "canceled", "1")

    answer = http.post(f"/v1/batches/{batch.id}/retry")

    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "not_retryable"
    assert "canceled" in answer.json()["error"]["message"]
    assert services.jobs.get(batch_job_id(batch.id, 0)).status == JobStatus.FAILED


def test_retrying_one_job_of_a_canceled_batch_is_refused(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = completed_batch(services, [JobStatus.FAILED])
    services.batches.redis.hset(batch_key(batch.id), "canceled", "1")
    job_id = batch_job_id(batch.id, 0)

    answer = http.post(f"/v1/jobs/{job_id}/retry")

    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "not_retryable"
    assert batch.id in answer.json()["error"]["message"]
    assert services.jobs.get(job_id).status == JobStatus.FAILED


def test_a_retry_the_queue_refused_leaves_the_batch_completed_as_it_was(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = completed_batch(services, [JobStatus.FAILED])

    def down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(services.celery, "send_task", down)
    answer = http.post(f"/v1/batches/{batch.id}/retry")

    assert answer.status_code == 503, answer.text
    assert services.batches.get(batch.id).status == "completed"
    assert [e["status"] for e in batch_events(services, batch.id)] == ["completed"]
    assert http.post(f"/v1/batches/{batch.id}/cancel").status_code == 409
