"""POST /v1/batches/{id}/cancel racing the batch's own end: a batch whose last job ended
between the route's read and its mark stays completed, and the cancel is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.batches import Batch, BatchItem, batch_job_id
from shared.batchstore import BatchState
from shared.models import Job, JobOptions, JobStatus, Stage, StageStatus, utcnow
from shared.queues import INGEST, INGEST_TASKS
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.unit.api.app_client import app_client, services_of


def _finished(job: Job) -> bool:
    job.status = JobStatus.SUCCEEDED
    job.stages[Stage.STT].status = StageStatus.SUCCEEDED
    job.finished_at = utcnow()
    return True


def test_a_cancel_arriving_as_the_batchs_last_job_ends_is_refused_and_the_batch_stays_completed(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: Any
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    services.batches.create(batch, [BatchItem(key="vm.wav")])
    job_id = batch_job_id(batch.id, 0)
    services.jobs.create_batch_job(
        Job(
            id=job_id,
            options=batch.options,
            input=wav_input_meta(),
            batch_id=batch.id,
            batch_index=0,
        )
    )
    services.batches.chunk_done(batch.id, 0, 1)
    read = services.batches.get

    def read_then_the_job_ends(batch_id: str, tenant: str | None = None) -> BatchState:
        state = read(batch_id, tenant)
        if services.jobs.get(job_id).status != JobStatus.SUCCEEDED:
            services.jobs.update(job_id, _finished)  # the stt worker, meanwhile
        return state

    monkeypatch.setattr(services.batches, "get", read_then_the_job_ends)

    answer = http.post(f"/v1/batches/{batch.id}/cancel")

    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "not_cancelable"
    assert read(batch.id).status == "completed"


def test_cancelling_a_canceled_batch_says_it_was_canceled_and_what_can_be_done(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: Any
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    services.batches.create(batch, [BatchItem(key="vm.wav")])
    # As the ingest worker leaves a batch once its cancel is through.
    ended = {"expanded": "1", "canceled": "1", "completed_at": "1796650000.0"}
    monkeypatch.setattr(services.batches, "get", lambda *_: BatchState(batch, ended))

    again = http.post(f"/v1/batches/{batch.id}/cancel")

    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert error["code"] == "not_cancelable"
    # "has already canceled" was the message: not English, and no word of what to do.
    assert error["message"] == (
        f"Batch {batch.id} was canceled: there is nothing left to cancel, and its jobs do not "
        "run again. To run its items again, submit them as a new batch."
    )


def test_an_accepted_cancel_says_canceling_and_a_second_one_queues_no_second_task(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    batch = Batch(source="manifest", options=JobOptions(stages=[Stage.STT]))
    services.batches.create(batch, [BatchItem(key="vm.wav")])
    services.batches.chunk_done(batch.id, 0, 1)  # its one item not ended: running

    first = http.post(f"/v1/batches/{batch.id}/cancel")
    second = http.post(f"/v1/batches/{batch.id}/cancel")

    # "running" was the answer to both, and each queued its own cancel task.
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "canceling"
    assert second.status_code == 202, second.text
    assert second.json()["status"] == "canceling"
    queued = [json.loads(raw) for raw in services.jobs.redis.lrange(INGEST, 0, -1)]
    assert [m["headers"]["task"] for m in queued] == [INGEST_TASKS["cancel"]]
