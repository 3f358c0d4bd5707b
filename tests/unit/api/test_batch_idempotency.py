"""Idempotency-Key on POST /v1/batches, in one process against a real Valkey: a repeated
request (a client that lost the answer, or was stopped after its upload went out) gets the
batch it already made instead of a second batch running every recording again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.batch_idempotency
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

PARTS = [("file", ("a.wav", b"RIFF-a")), ("file", ("b.wav", b"RIFF-b"))]


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def _send(http: TestClient, key: str, files: Any = PARTS, **fields: str) -> Any:
    return http.post("/v1/batches", files=files, data=fields, headers={"Idempotency-Key": key})


def _batches(http: TestClient) -> list[str]:
    return services_of(http).batches.list_ids("default", 100)


def test_an_upload_sent_again_with_its_key_gets_the_same_batch_and_makes_no_second(
    http: TestClient, tmp_path: Path
) -> None:
    first = _send(http, "upload-1", stages="stt")
    again = _send(http, "upload-1", stages="stt")

    assert first.status_code == 202, first.text
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert _batches(http) == [first.json()["id"]]
    staged = sorted(p.name for p in (tmp_path / "objects").rglob("*") if p.is_file())
    assert staged == ["000000", "000001"], "the repeat's own parts are not left behind"


def test_a_manifest_sent_again_with_its_key_gets_the_same_batch(http: TestClient) -> None:
    manifest = {"items": [{"text": "Please call me back"}], "stages": "stt,llm"}
    headers = {"Idempotency-Key": "manifest-1"}

    first = http.post("/v1/batches", json=manifest, headers=headers)
    again = http.post("/v1/batches", json=manifest, headers=headers)

    assert (first.status_code, again.status_code) == (202, 200), again.text
    assert again.json()["id"] == first.json()["id"]
    assert _batches(http) == [first.json()["id"]]


@pytest.mark.parametrize(
    ("files", "fields"),
    [
        ([("file", ("a.wav", b"RIFF-a")), ("file", ("b.wav", b"RIFF-X"))], {"stages": "stt"}),
        ([("file", ("a.wav", b"RIFF-a"))], {"stages": "stt"}),
        (PARTS, {"stages": "stt,llm"}),
    ],
    ids=["other content", "fewer files", "other options"],
)
def test_a_key_used_again_for_another_batch_is_a_409_and_makes_nothing(
    http: TestClient, files: Any, fields: dict[str, str]
) -> None:
    first = _send(http, "reused", stages="stt")

    other = _send(http, "reused", files, **fields)

    assert other.status_code == 409, other.text
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert _batches(http) == [first.json()["id"]]


def test_a_batchs_key_and_a_jobs_key_of_the_same_text_are_separate(http: TestClient) -> None:
    batch = _send(http, "same-text", stages="stt")
    job = http.post(
        "/v1/jobs", data={"text": "Call me back"}, headers={"Idempotency-Key": "same-text"}
    )

    assert batch.status_code == 202, batch.text
    assert job.status_code == 202, job.text


def test_without_a_key_the_same_upload_twice_is_two_batches(http: TestClient) -> None:
    http.post("/v1/batches", files=PARTS)
    http.post("/v1/batches", files=PARTS)

    assert len(_batches(http)) == 2


def test_a_batch_refused_by_the_job_store_frees_its_key_for_the_retry(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches = services_of(http).batches
    create = batches.create

    def down(*args: object) -> None:
        raise ConnectionError("broker gone")

    monkeypatch.setattr(batches, "create", down)
    refused = _send(http, "retry-me")
    monkeypatch.setattr(batches, "create", create)
    retried = _send(http, "retry-me")

    assert refused.status_code == 503, refused.text
    assert retried.status_code == 202, retried.text


def test_a_claim_the_broker_runs_too_late_is_not_made_so_the_retry_is_not_held_up(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stalled broker that runs the claim after the request gave up (its fence, here
    # already past) and is still unreachable for the release: the retry must not be told
    # "in progress" for the ten minutes a claim takes to count as abandoned.
    services = services_of(http)
    fence_ms = services.clock.fence_ms
    monkeypatch.setattr(services.clock, "fence_ms", lambda *_: 1)

    def unreachable(*_: object) -> None:
        raise ConnectionError("broker gone")

    monkeypatch.setattr(api.batch_idempotency, "release", unreachable)
    refused = _send(http, "stalled")
    monkeypatch.setattr(services.clock, "fence_ms", fence_ms)
    retried = _send(http, "stalled")

    assert refused.status_code == 503, refused.text
    assert retried.status_code == 202, retried.text
