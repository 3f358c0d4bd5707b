"""A recording longer than the stt engine a job chose can transcribe within the stt time
limit is refused at intake, once probed: start-up checks only the configured engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shared.audio import encode_pcm
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client

FAKE_KEY = "sk-" + "test" * 8


def _wav(seconds: float) -> bytes:
    t = np.arange(int(8_000 * seconds)) / 8_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 8_000, "wav")


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    # A cloud default, which start-up does not check, and a 5 s stt limit: the local engine
    # (0.27 s a second measured, planned at 0.54) finishes at most 9 s of audio in time.
    return app_client(
        tmp_path,
        valkey,
        providers={"stt": "whisper"},
        openai={"api_key": FAKE_KEY},
        workers={"stt": {"soft_time_limit_s": 5, "time_limit_s": 10}},
    )


def _stored(http: TestClient, tmp_path: Path) -> tuple[int, list[Path]]:
    objects = tmp_path / "objects"
    files = [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []
    return http.get("/v1/jobs").json()["total"], files


def test_a_recording_longer_than_the_chosen_offline_engine_finishes_in_time_is_refused(
    http: TestClient, tmp_path: Path
) -> None:
    answer = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(10), "audio/wav")},
        data={"stt_provider": "local"},
    )

    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "too_long"
    assert "'local'" in error["message"]
    assert "10.0 s long" in error["message"]
    assert "at most 9 s" in error["message"]
    assert _stored(http, tmp_path) == (0, [])


@pytest.mark.parametrize(
    ("seconds", "fields"),
    [(8, {"stt_provider": "local"}), (10, {}), (10, {"stt_provider": "whisper"})],
    ids=["within its time", "the configured engine", "the configured engine named"],
)
def test_a_recording_the_engine_finishes_in_time_or_that_start_up_checked_is_accepted(
    http: TestClient, seconds: float, fields: dict[str, str]
) -> None:
    answer = http.post(
        "/v1/jobs", files={"file": ("vm.wav", _wav(seconds), "audio/wav")}, data=fields
    )

    assert answer.status_code == 202, answer.text


def test_the_openai_transcription_call_refuses_it_with_openais_400(
    http: TestClient, tmp_path: Path
) -> None:
    answer = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", _wav(10), "audio/wav")},
        data={"model": "voicepipe-local"},
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "too_long"
    assert _stored(http, tmp_path) == (0, [])
