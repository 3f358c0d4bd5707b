"""A store that accepts connections and never answers (a hung S3 or MinIO): the API answers
503 within its storage budget instead of holding each request for boto3's minutes, says
when to try again, and stops asking a store that keeps failing."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from shared.audio import encode_pcm
from shared.settings import Settings
from shared.storage import Patience, S3Storage
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.app_client import services_of
from tests.unit.api.conftest import HungStore

BUDGET_S = 0.3


def _app(data_dir: Path, valkey: ValkeyProcess, store: str, **storage: object) -> TestClient:
    settings = Settings(
        data_dir=data_dir,
        broker={"url": valkey.url},
        storage={
            "backend": "s3",
            "s3_endpoint_url": store,
            "s3_access_key_id": "test",
            "s3_secret_access_key": "test",
            "api_timeout_s": BUDGET_S,
            **storage,
        },
    )
    return TestClient(create_app(settings))


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess, hung_store: str) -> TestClient:
    return _app(tmp_path, valkey, hung_store)


def _wav() -> bytes:
    t = np.arange(16_000) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


@pytest.mark.timeout(30)
def test_an_upload_to_a_hung_store_is_refused_with_503_within_the_budget(
    http: TestClient,
) -> None:
    began = time.monotonic()
    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")})
    took = time.monotonic() - began

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert answer.headers["Retry-After"] == "10", "the breaker's cool-down, by default"
    # Two attempts, each a connection and a wait for the answer (and botocore's backoff
    # between them): boto3's own patience held it for minutes.
    assert took < 4 * BUDGET_S + 2.0
    assert http.get("/v1/jobs").json()["total"] == 0, "nothing half made"


@pytest.mark.timeout(30)
def test_readiness_says_the_hung_store_is_unavailable_within_a_second(http: TestClient) -> None:
    began = time.monotonic()
    answer = http.get("/readyz")
    took = time.monotonic() - began

    assert answer.status_code == 503
    assert answer.json()["checks"]["storage"].startswith("unavailable")
    assert took < 2 * BUDGET_S + 1.0


@pytest.mark.timeout(30)
def test_the_workers_s3_client_keeps_its_patience_and_the_apis_is_bounded(
    hung_store: str,
) -> None:
    api = S3Storage("b", endpoint_url=hung_store, access_key_id="t", secret_access_key="t",
                    patience=Patience(BUDGET_S, 1))  # fmt: skip
    worker = S3Storage("b", endpoint_url=hung_store, access_key_id="t", secret_access_key="t")

    assert (api.client.meta.config.read_timeout, worker.client.meta.config.read_timeout) == (
        BUDGET_S,
        60.0,
    )
    began = time.monotonic()
    with pytest.raises(Exception, match=r"timed out|Read timeout"):
        api.put("k", b"x")
    assert time.monotonic() - began < BUDGET_S * 2 + 1.0


@pytest.mark.timeout(30)
def test_a_recording_asked_of_a_hung_store_is_a_503_saying_when_to_try_again(
    http: TestClient,
) -> None:
    job = voicemail_job(tenant="default")
    services_of(http).jobs.create(job)

    answer = http.get(f"/v1/jobs/{job.id}/audio")

    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert answer.headers["Retry-After"] == "10"


@pytest.mark.timeout(30)
def test_after_failures_in_a_row_uploads_are_refused_without_asking_the_store(
    tmp_path: Path, valkey: ValkeyProcess, hung_store: HungStore
) -> None:
    http = _app(tmp_path, valkey, hung_store, api_breaker_failures=2, api_breaker_cool_down_s=60)
    upload = {"file": ("vm.wav", _wav(), "audio/wav")}
    for _ in range(2):
        assert http.post("/v1/jobs", files=upload).status_code == 503
    asked = hung_store.connections

    refused = [http.post("/v1/jobs", files=upload) for _ in range(3)]

    assert [answer.status_code for answer in refused] == [503] * 3
    assert {answer.json()["error"]["code"] for answer in refused} == {"storage_unavailable"}
    assert hung_store.connections == asked, "the store was not asked again"
    # Whole seconds left of the minute's cool-down, never more.
    assert all(50 <= int(answer.headers["Retry-After"]) <= 60 for answer in refused)
    assert http.get("/v1/jobs").json()["total"] == 0, "nothing half made"
    assert http.get("/readyz").json()["checks"]["storage"].startswith("unavailable")
    assert hung_store.connections > asked, "readiness asks the store itself"


def _scraped(http: TestClient) -> dict[str, float]:
    answer = http.get("/metrics")
    assert answer.status_code == 200
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
        if sample.name.startswith("voicepipe_storage_breaker")
    }


@pytest.mark.timeout(30)
def test_metrics_show_the_open_breaker_and_count_the_uploads_it_refused(
    tmp_path: Path, valkey: ValkeyProcess, hung_store: HungStore
) -> None:
    http = _app(tmp_path, valkey, hung_store, api_breaker_failures=2, api_breaker_cool_down_s=60)
    assert _scraped(http) == {
        "voicepipe_storage_breaker_open": 0.0,
        "voicepipe_storage_breaker_refusals_total": 0.0,
    }
    upload = {"file": ("vm.wav", _wav(), "audio/wav")}
    for _ in range(2 + 3):
        assert http.post("/v1/jobs", files=upload).status_code == 503

    assert _scraped(http) == {
        "voicepipe_storage_breaker_open": 1.0,
        "voicepipe_storage_breaker_refusals_total": 3.0,
    }
