"""/v1/jobs/{id}/reviews, /v1/jobs/{id}/audio and /v1/inbox: corrections stored beside the
machine's output, each saying what it replaced, shown in the inbox, sent to the job's
webhook, checked before they are taken, and gone with what retention deletes."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.errors import ApiError
from api.main import create_app
from api.reviewing import submit_review
from api.security import hash_key
from shared.models import InputMeta, JobOptions
from shared.retention import purge
from shared.settings import Settings
from shared.webhook_store import WebhookStore
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.review_routes_helpers import (
    ACME,
    ACME_KEY,
    GLOBEX,
    HOOK,
    _job,
    _review,
    _services,
    review_client,
)


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return review_client(tmp_path, valkey)


def test_a_correction_records_what_it_replaced_and_unchanged_fields_are_left_out(
    http: TestClient,
) -> None:
    job = _job(http, intent="general", urgency="normal")

    answer = _review(
        http,
        job,
        corrections={"callback_number": "617-238-4410", "intent": "repair", "urgency": "normal"},
        note="number misheard",
    )

    assert answer.status_code == 201, answer.text
    review = answer.json()
    assert review["corrections"] == [
        {"field": "callback_number", "before": "+14158672291", "after": "+16172384410"},
        {"field": "intent", "before": "general", "after": "repair"},
    ]
    assert review["done"] is True
    assert review["note"] == "number misheard"
    assert review["reviewer"] == f"acme (API key {hash_key(ACME_KEY)[:8]})"
    assert review["job_id"] == job.id
    assert review["tenant"] == "acme"


def test_a_later_review_starts_from_the_earlier_corrections(http: TestClient) -> None:
    job = _job(http)
    _review(http, job, corrections={"callback_number": "+1 617 238 4410"}, done=False)

    again = _review(
        http, job, corrections={"callback_number": "(617) 238-4410", "caller_name": " Dana "}
    )
    listed = http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"]

    assert again.json()["corrections"] == [
        {"field": "caller_name", "before": None, "after": "Dana"}
    ], "the number is already the corrected one"
    assert [r["done"] for r in listed] == [False, True], "oldest first"
    stored = _services(http).jobs.get(job.id)
    assert stored.results.triage is not None
    assert stored.results.triage.callback_number == "+14158672291", "the machine's output stays"


def test_a_number_that_is_not_valid_is_refused_saying_so(http: TestClient) -> None:
    job = _job(http)

    answer = _review(http, job, corrections={"callback_number": "555-01"})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_correction"
    assert "not a valid phone number" in answer.json()["error"]["message"]
    assert http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"] == []


def test_an_empty_caller_or_number_clears_it(http: TestClient) -> None:
    job = _job(http, caller_name="Wrong Name")

    review = _review(http, job, corrections={"caller_name": "", "callback_number": " "}).json()

    assert review["corrections"] == [
        {"field": "callback_number", "before": "+14158672291", "after": None},
        {"field": "caller_name", "before": "Wrong Name", "after": None},
    ]


def test_values_outside_the_vocabulary_are_refused_by_the_api_and_by_submit_review(
    http: TestClient,
) -> None:
    job = _job(http)
    services = _services(http)

    def submitted(changes: dict[str, str]) -> ApiError:
        with pytest.raises(ApiError) as refused:
            asyncio.run(submit_review(services, "acme", job.id, changes, True, "Ana"))
        return refused.value

    assert _review(http, job, corrections={"intent": "gossip"}).status_code == 422
    assert _review(http, job, corrections={"urgency": "panic"}).status_code == 422
    assert _review(http, job, corrections={"mood": "calm"}).status_code == 422
    assert _review(http, job, done=0).status_code == 422, "JSON's own types only"
    assert submitted({"intent": "gossip"}).status_code == 400
    assert "repair" in submitted({"intent": "gossip"}).message
    assert submitted({"urgency": "panic"}).status_code == 400
    assert submitted({"transcript": "   "}).status_code == 400
    assert submitted({"mood": "calm"}).status_code == 400


def test_another_tenants_job_is_not_found(http: TestClient) -> None:
    job = _job(http)

    assert _review(http, job, GLOBEX, corrections={"intent": "repair"}).status_code == 404
    assert http.get(f"/v1/jobs/{job.id}/reviews", headers=GLOBEX).status_code == 404
    assert http.get(f"/v1/jobs/{job.id}/audio", headers=GLOBEX).status_code == 404
    assert _services(http).jobs.redis.keys("vp:reviews:*") == []


def test_the_inbox_shows_corrections_and_filters_on_them(http: TestClient) -> None:
    job = _job(http, intent="general", urgency="low")
    other = _job(http, intent="general", urgency="low")
    _review(http, job, corrections={"callback_number": "617-238-4410", "intent": "repair"})

    def inbox(**params: Any) -> dict[str, Any]:
        body: dict[str, Any] = http.get("/v1/inbox", params=params, headers=ACME).json()
        return body

    reviewed = inbox(reviewed="true")
    assert [row["job_id"] for row in reviewed["rows"]] == [job.id]
    assert reviewed["rows"][0]["callback_number"] == "+16172384410"
    assert reviewed["rows"][0]["intent"] == "repair"
    assert reviewed["total"] == 1
    assert [row["job_id"] for row in inbox(intent="repair")["rows"]] == [job.id]
    assert [row["job_id"] for row in inbox(intent="general")["rows"]] == [other.id]
    assert [row["job_id"] for row in inbox(text="617 238")["rows"]] == [job.id]
    assert inbox(reviewed="false")["total"] == 1
    assert http.get("/v1/inbox", headers=GLOBEX).json()["total"] == 0


def test_marking_a_job_not_done_takes_it_back_to_the_to_review_list(http: TestClient) -> None:
    job = _job(http)
    _review(http, job)
    _review(http, job, done=False)

    page = http.get("/v1/inbox", params={"reviewed": "false"}, headers=ACME).json()

    assert [row["job_id"] for row in page["rows"]] == [job.id]


def test_a_job_with_a_callback_url_is_sent_a_job_reviewed_event(http: TestClient) -> None:
    job = _job(http, options=JobOptions(callback_url=HOOK))
    review = _review(http, job, corrections={"urgency": "high"}).json()

    [event] = WebhookStore(_services(http).jobs.redis).deliveries_of_job(job.id)

    assert event.type == "job.reviewed"
    assert event.url == HOOK
    assert event.data["review_id"] == review["id"]
    assert event.data["reviewer"] == review["reviewer"]
    assert event.data["done"] is True
    assert event.data["corrections"] == [{"field": "urgency", "before": "normal", "after": "high"}]
    assert event.data["links"]["reviews"] == f"/v1/jobs/{job.id}/reviews"
    # The review's time as the API's review writes it, "Z" and all (was "+00:00").
    assert event.data["at"].endswith("Z")
    assert datetime.fromisoformat(event.data["at"]) == datetime.fromisoformat(review["at"])


def test_the_recording_is_served_in_its_own_format_and_a_text_job_has_none(
    http: TestClient,
) -> None:
    job = _job(http)
    text_meta = InputMeta(
        kind="text", media_type="text/plain", container="txt", codec="utf-8", size_bytes=2,
        duration_s=0.0, sample_rate=0, channels=0, sha256="0" * 64, key="acme/t.txt",
    )  # fmt: skip
    typed = voicemail_job(input=text_meta)
    _services(http).jobs.create(typed)

    audio = http.get(f"/v1/jobs/{job.id}/audio", headers=ACME)
    none = http.get(f"/v1/jobs/{typed.id}/audio", headers=ACME)

    assert audio.status_code == 200
    assert audio.content == b"RIFF-recording"
    assert audio.headers["content-type"] == "audio/wav"
    assert none.status_code == 404
    assert none.json()["error"]["code"] == "no_recording"


def test_after_retention_the_recording_and_what_it_said_are_gone_from_reviews_too(
    http: TestClient,
) -> None:
    job = _job(http, caller_name="Dana")
    _review(http, job, corrections={"caller_name": "Dana Whitaker", "intent": "repair"})
    services = _services(http)

    purge(services.jobs, services.storage, job.id)

    [kept] = http.get(f"/v1/jobs/{job.id}/reviews", headers=ACME).json()["reviews"]
    assert kept["corrections"] == [
        {"field": "caller_name", "before": None, "after": None},
        {"field": "intent", "before": "general", "after": "repair"},
    ]
    assert http.get(f"/v1/jobs/{job.id}/audio", headers=ACME).status_code == 410
    refused = _review(http, job, corrections={"transcript": "Hi it's Dana"})
    assert refused.status_code == 410
    assert refused.json()["error"]["code"] == "objects_deleted"
    assert _review(http, job, corrections={"urgency": "high"}).status_code == 201
    assert http.get("/v1/inbox", params={"text": "dana"}, headers=ACME).json()["total"] == 0


def test_without_api_keys_a_review_is_by_anonymous(tmp_path: Path, valkey: ValkeyProcess) -> None:
    http = TestClient(create_app(Settings(data_dir=tmp_path, broker={"url": valkey.url})))
    job = voicemail_job(tenant="default")
    _services(http).jobs.create(job)

    review = http.post(f"/v1/jobs/{job.id}/reviews", json={"done": True}).json()

    assert review["reviewer"] == "anonymous"
    assert review["corrections"] == []
