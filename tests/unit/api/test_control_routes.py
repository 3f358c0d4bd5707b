"""POST /v1/jobs/{id}/retry answers why a job cannot run again, truthfully."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from shared.models import JobStatus, Stage
from shared.retention import purge
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.app_client import app_client, services_of


def test_a_failed_job_whose_recording_retention_deleted_is_refused_for_that_reason(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    for status in (JobStatus.FAILED, JobStatus.CANCELED):
        job = voicemail_job(tenant="default", status=status, transcript=None)
        services.jobs.create(job)
        services.storage.put(job.input.key, b"RIFF-recording", "audio/wav")
        purged = purge(services.jobs, services.storage, job.id)
        assert purged.objects_deleted_at is not None

        answer = http.post(f"/v1/jobs/{job.id}/retry")

        assert answer.status_code == 410, answer.text
        error = answer.json()["error"]
        assert error["code"] == "objects_deleted"
        assert (
            "deleted at " + purged.objects_deleted_at.isoformat(timespec="seconds")
            in (error["message"])
        )
        assert "only failed or canceled" not in error["message"]
        assert services.jobs.get(job.id).status == status, "the job is left as it was"


def test_a_job_that_did_not_fail_is_not_retryable(tmp_path: Path, valkey: ValkeyProcess) -> None:
    http = app_client(tmp_path, valkey)
    job = voicemail_job(tenant="default")
    services_of(http).jobs.create(job)

    answer = http.post(f"/v1/jobs/{job.id}/retry")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "not_retryable"
    assert "has succeeded" in answer.json()["error"]["message"]


def _queued_for(services: Any, queue: str, job_id: str) -> int:
    """How many messages in ``queue`` run a stage of ``job_id``."""
    found = 0
    for raw in services.jobs.redis.lrange(queue, 0, -1):
        args, _, _ = json.loads(base64.b64decode(json.loads(raw)["body"]))
        found += args == [job_id]
    return found


def test_a_retry_queues_its_stage_in_the_same_write_that_queues_the_job(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broker goes away after the job is written (or the API process dies there): a
    # retry that wrote the job first and sent its message after left it queued with no
    # message (503, then 409 not_retryable to the retry the 503 asked for) until the
    # sweeper's queue allowance ran out, hours later.
    http = app_client(tmp_path, valkey)
    services = services_of(http)
    job = voicemail_job(tenant="default", status=JobStatus.FAILED, transcript=None)
    services.jobs.create(job)
    services.storage.put(job.input.key, b"RIFF-recording", "audio/wav")

    def gone(*_: object, **__: object) -> None:
        raise ConnectionError("the broker went away")

    monkeypatch.setattr(services.celery, "send_task", gone)

    answer = http.post(f"/v1/jobs/{job.id}/retry")

    assert answer.status_code == 202, answer.text
    assert services.jobs.get(job.id).status == JobStatus.QUEUED
    assert _queued_for(services, Stage.STT.value, job.id) == 1
