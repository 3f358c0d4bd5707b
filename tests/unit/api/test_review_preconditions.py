"""POST /v1/jobs/{id}/reviews made conditional on the reviews its client read (If-Match
with the ETag of GET /v1/jobs/{id}/reviews), and a review that says nothing new not stored
again."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.jobstore import JobStore
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job

KEY = "vp_" + "a" * 43
ACME = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, auth={"keys": [key_entry("acme", KEY)]}
    )
    return TestClient(create_app(settings))


@pytest.fixture
def job_id(http: TestClient) -> str:
    job = voicemail_job(callback_number="+16172384411", urgency="normal")
    JobStore(http.app.state.services.jobs.redis).create(job)  # type: ignore[attr-defined]
    return job.id


def test_a_review_conditional_on_reviews_read_before_anothers_is_refused_with_412(
    http: TestClient, job_id: str
) -> None:
    read = http.get(f"/v1/jobs/{job_id}/reviews", headers=ACME)
    etag = read.headers["etag"]
    other = http.post(
        f"/v1/jobs/{job_id}/reviews",
        json={"corrections": {"callback_number": "+1 617 238 4410"}, "done": False},
        headers=ACME,
    )

    stale = http.post(
        f"/v1/jobs/{job_id}/reviews",
        json={"corrections": {"callback_number": "+16172384411", "urgency": "high"}},
        headers={**ACME, "If-Match": etag},
    )

    assert other.status_code == 201
    assert stale.status_code == 412
    # Its own code: a client tells "re-read the list" from "a field clashed" without the status.
    assert stale.json()["error"]["code"] == "reviews_changed"
    assert "GET /v1/jobs/" in stale.json()["error"]["message"]
    reviews = http.get(f"/v1/jobs/{job_id}/reviews", headers=ACME)
    assert len(reviews.json()["reviews"]) == 1
    assert reviews.headers["etag"] == other.headers["etag"] != etag


def test_a_review_conditional_on_the_current_reviews_is_stored(
    http: TestClient, job_id: str
) -> None:
    etag = http.get(f"/v1/jobs/{job_id}/reviews", headers=ACME).headers["etag"]

    answer = http.post(
        f"/v1/jobs/{job_id}/reviews",
        json={"corrections": {"urgency": "high"}},
        headers={**ACME, "If-Match": f'"x", {etag}'},
    )
    anything = http.post(
        f"/v1/jobs/{job_id}/reviews",
        json={"corrections": {"urgency": "low"}},
        headers={**ACME, "If-Match": "*"},
    )

    assert answer.status_code == 201, answer.text
    assert anything.status_code == 201, anything.text


def test_marking_done_again_adds_no_review_and_answers_the_latest_with_200(
    http: TestClient, job_id: str
) -> None:
    first = http.post(f"/v1/jobs/{job_id}/reviews", json={"done": True}, headers=ACME)
    again = http.post(f"/v1/jobs/{job_id}/reviews", json={"done": True}, headers=ACME)
    noted = http.post(
        f"/v1/jobs/{job_id}/reviews", json={"done": True, "note": "called back"}, headers=ACME
    )

    assert [first.status_code, again.status_code, noted.status_code] == [201, 200, 201]
    assert again.json()["id"] == first.json()["id"]
    assert len(http.get(f"/v1/jobs/{job_id}/reviews", headers=ACME).json()["reviews"]) == 2
