"""An Idempotency-Key header that is there but empty (``-H "Idempotency-Key: $KEY"`` with KEY
unset) is refused, on every route that takes the header: taken as no key, each of the
client's retries made another job or batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shared.audio import encode_pcm
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

RATE = 16000
TONE = (3000 * np.sin(2 * np.pi * 220 * np.arange(2 * RATE) / RATE)).astype(np.int16)
WAV = {"file": ("vm.wav", encode_pcm(TONE, RATE, "wav"), "audio/wav")}
SUBMISSIONS: dict[str, dict[str, Any]] = {
    "a job's recording": {"url": "/v1/jobs", "files": WAV},
    "a job's text": {"url": "/v1/jobs", "data": {"text": "Call me back", "stages": "stt,llm"}},
    "a batch's parts": {"url": "/v1/batches", "files": [("file", ("a.wav", b"RIFF-a"))]},
    "a batch's manifest": {"url": "/v1/batches", "json": {"items": [{"text": "Call me"}]}},
}


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


@pytest.mark.parametrize("submission", list(SUBMISSIONS))
@pytest.mark.parametrize("key", ["", "   "])
def test_an_empty_idempotency_key_is_refused_and_nothing_is_made(
    http: TestClient, tmp_path: Path, submission: str, key: str
) -> None:
    answer = http.post(headers={"Idempotency-Key": key}, **SUBMISSIONS[submission])

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key header is empty" in error["message"]
    assert "leave the header out" in error["message"]
    services = services_of(http)
    assert services.jobs.list_ids("default", 10) == []
    assert services.batches.list_ids("default", 10) == []
    assert not [p for p in (tmp_path / "objects").rglob("*") if p.is_file()]
