"""POST /v1/batches/{id}/retry and .../cancel one after the other: a cancel sent after an
accepted retry is accepted (the batch runs again from the retry on), and a canceled batch,
or one of its jobs, is not run again."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from shared.batch_keys import batch_key
from shared.batches import Batch, BatchItem, batch_job_id
from shared.models import Job, JobOptions, JobStatus, Stage
from shared.queues import INGEST, INGEST_TASKS
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.unit.api.app_client import app_client, services_of
from tests.unit.workers.test_batch_retry_cancel import completed_batch


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


def test_a_retry_is_accepted_and_its_task_queued_in_one_step(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Accepted first and sent after, an API process stopped between the two (or a broker
    # gone there) left the retry under way with no task to end it: the batch read running
    # for good. Now send_task is not used, and the message is on the ingest queue.
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = completed_batch(services, [JobStatus.FAILED])

    def not_used(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the retry's task went some other way")

    monkeypatch.setattr(services.celery, "send_task", not_used)
    answer = http.post(f"/v1/batches/{batch.id}/retry")

    assert answer.status_code == 202, answer.text
    queued = [json.loads(raw) for raw in services.jobs.redis.lrange(INGEST, 0, -1)]
    assert [m["headers"]["task"] for m in queued] == [INGEST_TASKS["retry"]]
    args = json.loads(base64.b64decode(queued[0]["body"]))[0]
    assert args[0] == batch.id
    assert services.batches.redis.hexists(batch_key(batch.id), f"retry:{args[1]}")


def test_a_cancel_is_marked_and_its_task_queued_in_one_step(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Marked first and sent after, a broker gone between the two answered 503 with the batch
    # already canceled: a cancel sent again was 409 (already canceled), no task ever ended
    # its open jobs, and the batch read running for good. Now send_task is not used, and the
    # message is on the ingest queue.
    http = app_client(tmp_path, valkey)
    services: Any = services_of(http)
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    services.batches.create(batch, [BatchItem(key="vm.wav")])
    job = Job(
        id=batch_job_id(batch.id, 0),
        options=batch.options,
        input=wav_input_meta(),
        batch_id=batch.id,
        batch_index=0,
    )
    services.jobs.create_batch_job(job)
    services.batches.chunk_done(batch.id, 0, 1)

    def not_used(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the cancel's task went some other way")

    monkeypatch.setattr(services.celery, "send_task", not_used)
    answer = http.post(f"/v1/batches/{batch.id}/cancel")

    assert answer.status_code == 202, answer.text
    queued = [json.loads(raw) for raw in services.jobs.redis.lrange(INGEST, 0, -1)]
    assert [m["headers"]["task"] for m in queued] == [INGEST_TASKS["cancel"]]
    assert json.loads(base64.b64decode(queued[0]["body"]))[0] == [batch.id]
    assert services.batches.redis.hget(batch_key(batch.id), "canceled") == b"1"
