"""Reviews and webhook events of a job whose objects retention deleted: what the recording
said is gone from the events the API keeps, and a note (which repeats it) is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.models import Job, JobOptions
from shared.retention import purge
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.app_client import app_client, services_of

HOOK = "https://hooks.example.com/voicepipe"


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def _purged(http: TestClient, review: dict[str, Any] | None = None, **fields: Any) -> Job:
    """A voicemail job, reviewed as ``review`` says, then purged by retention."""
    job = voicemail_job(tenant="default", callback_number="+14158672291", **fields)
    services = services_of(http)
    services.jobs.create(job)
    services.storage.put(job.input.key, b"RIFF-recording", "audio/wav")
    if review is not None:
        assert http.post(f"/v1/jobs/{job.id}/reviews", json=review).status_code == 201
    purge(services.jobs, services.storage, job.id)
    return job


def test_after_retention_the_job_s_webhook_events_no_longer_carry_what_it_said(
    http: TestClient,
) -> None:
    job = _purged(
        http,
        {"corrections": {"caller_name": "Dana Whitaker", "intent": "repair"}},
        caller_name="Dana",
        options=JobOptions(callback_url=HOOK),
    )

    answer = http.get(f"/v1/jobs/{job.id}/webhooks")

    [event] = answer.json()["deliveries"]
    assert event["type"] == "job.reviewed"
    assert event["data"]["corrections"] == [
        {"field": "caller_name", "before": None, "after": None},
        {"field": "intent", "before": "general", "after": "repair"},
    ]
    assert "Dana" not in answer.text


def test_after_retention_a_note_is_refused_like_a_correction_of_what_the_recording_said(
    http: TestClient,
) -> None:
    job = _purged(http)

    refused = http.post(
        f"/v1/jobs/{job.id}/reviews",
        json={"corrections": {"intent": "billing"}, "note": "Maria Lopez, card 4111 1111"},
    )

    assert refused.status_code == 410
    assert refused.json()["error"]["code"] == "objects_deleted"
    assert "note" in refused.json()["error"]["message"]
    assert http.get(f"/v1/jobs/{job.id}/reviews").json()["reviews"] == []
    kept = http.post(f"/v1/jobs/{job.id}/reviews", json={"corrections": {"intent": "billing"}})
    assert kept.status_code == 201
