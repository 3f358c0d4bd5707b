"""POST /v1/jobs/{id}/retry answers why a job cannot run again, truthfully."""

from __future__ import annotations

from pathlib import Path

from shared.models import JobStatus
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
    assert "is succeeded" in answer.json()["error"]["message"]
