"""A recording shorter than VOICEPIPE_WORKERS__MIN_SPEECH_S cannot hold that much sound, so
the stt stage would always fail it as stt.empty_media: intake refuses it as too_short at
once, naming the minimum, instead of queueing a job that is certain to fail (a batch item
alike: tests/unit/workers/test_ingest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shared.audio import encode_pcm
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


def _buzz(seconds: float) -> bytes:
    t = np.arange(int(8_000 * seconds)) / 8_000
    return encode_pcm((9000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 8_000, "wav")


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


def test_a_recording_shorter_than_the_speech_minimum_is_refused_at_intake(
    http: TestClient,
) -> None:
    # 0.4 s: over API__MIN_DURATION_S (0.3), under WORKERS__MIN_SPEECH_S (0.5). Before, 202,
    # and the job failed at its stt stage, every time.
    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _buzz(0.4), "audio/wav")})

    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "too_short"
    assert "at least 0.5 s" in error["message"]
    assert http.get("/v1/jobs").json()["total"] == 0


def test_a_recording_as_long_as_the_speech_minimum_is_accepted(http: TestClient) -> None:
    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _buzz(0.6), "audio/wav")})

    assert answer.status_code == 202, answer.text
