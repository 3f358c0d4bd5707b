"""POST /v1/jobs/{id}/reviews takes a review when the inbox offers one: once the job is
triaged (or has succeeded without a triage stage). Before, its results are still to come, and
a correction or "done" stored then is refused with 409 not_triaged saying what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.inbox_rows import overlay_key
from shared.jobstore import JobStore
from shared.models import Job, JobResults, JobStatus
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job

KEY = "vp_" + "a" * 43
ACME = {"Authorization": f"Bearer {KEY}"}
REVIEW = {"corrections": {"transcript": "Call me back on 617 238 4410"}, "done": True}


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, auth={"keys": [key_entry("acme", KEY)]}
    )
    return TestClient(create_app(settings))


def _stored(http: TestClient, job: Job) -> Job:
    JobStore(http.app.state.services.jobs.redis).create(job)  # type: ignore[attr-defined]
    return job


def _untriaged(status: JobStatus, transcript: str | None = None) -> Job:
    job = voicemail_job(status=status, transcript=None)
    job.results = JobResults(transcript=transcript)
    return job


def _reviews(http: TestClient, job: Job) -> list[Any]:
    reviews: list[Any] = http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"]
    return reviews


@pytest.mark.parametrize(
    "job",
    [
        _untriaged(JobStatus.QUEUED),
        _untriaged(JobStatus.TRANSCRIBING),
        # Transcribed, the triage still to come: its transcript would be corrected alone.
        _untriaged(JobStatus.RESPONDING, transcript="Call me back on six one seven"),
    ],
    ids=["queued", "transcribing", "responding"],
)
@pytest.mark.parametrize(
    "body",
    [REVIEW, {"done": True}, {"corrections": {"urgency": "high"}, "done": False}],
    ids=["correction", "done", "urgency"],
)
def test_a_review_of_a_job_still_being_processed_is_refused_and_nothing_is_stored(
    http: TestClient, job: Job, body: dict[str, Any]
) -> None:
    _stored(http, job)

    answer = http.post(f"/v1/jobs/{job.id}/reviews", json=body, headers=ACME)

    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "not_triaged"
    assert f"still being processed (status {job.status.value})" in error["message"]
    assert f"GET /v1/jobs/{job.id}" in error["message"]
    assert _reviews(http, job) == []
    redis = http.app.state.services.jobs.redis  # type: ignore[attr-defined]
    assert redis.hget(overlay_key("acme"), job.id) is None


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELED])
def test_a_review_of_a_job_that_ended_before_its_triage_is_refused_naming_the_retry(
    http: TestClient, status: JobStatus
) -> None:
    job = _stored(http, _untriaged(status, transcript="Call me back"))

    answer = http.post(f"/v1/jobs/{job.id}/reviews", json=REVIEW, headers=ACME)

    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "not_triaged"
    assert f"POST /v1/jobs/{job.id}/retry" in answer.json()["error"]["message"]
    assert _reviews(http, job) == []


def test_a_triaged_job_whose_reply_is_still_being_spoken_can_be_reviewed(
    http: TestClient,
) -> None:
    # Everything a review corrects is made by then; the inbox offers its form too.
    job = _stored(http, voicemail_job(status=JobStatus.SYNTHESIZING, urgency="normal"))

    answer = http.post(
        f"/v1/jobs/{job.id}/reviews", json={"corrections": {"urgency": "high"}}, headers=ACME
    )

    assert answer.status_code == 201, answer.text
    assert len(_reviews(http, job)) == 1


def test_a_job_that_succeeded_without_a_triage_stage_can_be_reviewed(http: TestClient) -> None:
    job = _stored(http, _untriaged(JobStatus.SUCCEEDED, transcript="Call me back"))

    answer = http.post(f"/v1/jobs/{job.id}/reviews", json=REVIEW, headers=ACME)

    assert answer.status_code == 201, answer.text
    assert answer.json()["corrections"][0]["before"] == "Call me back"
