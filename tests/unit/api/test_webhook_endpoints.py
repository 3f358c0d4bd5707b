"""Endpoints a receiver retired with 410 Gone: listed, refused as a new job's callback_url
(its events would be dropped unsent), and turned back on."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

SECRET = "whsec_" + base64.b64encode(b"voicepipe-test-secret-32-bytes!!").decode()
HOOK = "https://hooks.example.com/voicemail"


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey, webhooks={"secrets": [f"default:{SECRET}"]})


def test_a_job_naming_a_disabled_endpoint_is_refused_until_it_is_turned_back_on(
    http: TestClient,
) -> None:
    # Before: 202, and every event of the job was dropped unsent without a word.
    services_of(http).deliveries.disable_endpoint("default", HOOK)
    form = {"text": "Please call me back", "stages": "stt,llm", "callback_url": HOOK}

    refused = http.post("/v1/jobs", data=form)
    listed = http.get("/v1/webhooks/disabled").json()
    enabled = http.delete("/v1/webhooks/disabled", params={"url": HOOK})
    accepted = http.post("/v1/jobs", data=form)

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "callback_url_disabled"
    assert listed == {"urls": [HOOK]}
    assert enabled.status_code == 204
    assert http.get("/v1/webhooks/disabled").json() == {"urls": []}
    assert accepted.status_code == 202, accepted.text


def test_turning_on_an_endpoint_that_is_not_disabled_changes_nothing(http: TestClient) -> None:
    assert http.delete("/v1/webhooks/disabled", params={"url": HOOK}).status_code == 204
    assert http.get("/v1/webhooks/disabled").json() == {"urls": []}
