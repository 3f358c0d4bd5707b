"""A recording's ``language`` its stt engine cannot hear is refused at intake, on
``POST /v1/jobs`` and the OpenAI-compatible transcription call, before anything is stored;
one a cloud engine hears, and typed text, are not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shared.audio import encode_pcm
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client

FAKE_KEY = "sk-" + "test" * 8


def _wav() -> bytes:
    t = np.arange(16_000) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey, openai={"api_key": FAKE_KEY})


def _stored(http: TestClient, tmp_path: Path) -> tuple[int, list[Path]]:
    objects = tmp_path / "objects"
    files = [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []
    return http.get("/v1/jobs").json()["total"], files


@pytest.mark.parametrize("language", ["xx", "fr", "de-DE"])
def test_a_job_in_a_language_the_offline_engine_cannot_hear_is_refused_before_it_is_stored(
    http: TestClient, tmp_path: Path, language: str
) -> None:
    answer = http.post(
        "/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}, data={"language": language}
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_language"
    assert error["message"].startswith("language:")
    assert repr(language) in error["message"]
    assert "'en'" in error["message"]
    assert _stored(http, tmp_path) == (0, [])


def test_the_openai_transcription_call_refuses_it_in_openais_shape_naming_the_field(
    http: TestClient, tmp_path: Path
) -> None:
    answer = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"model": "whisper-1", "language": "xx"},
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"], error["type"]) == (
        "unsupported_language",
        "language",
        "invalid_request_error",
    )
    assert _stored(http, tmp_path) == (0, [])


@pytest.mark.parametrize("language", ["en", "en-GB", "eng", "English"])
def test_english_however_it_is_written_is_accepted(http: TestClient, language: str) -> None:
    answer = http.post(
        "/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}, data={"language": language}
    )

    assert answer.status_code == 202, answer.text


def test_a_language_a_cloud_engine_hears_is_left_to_it(http: TestClient) -> None:
    answer = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": "fr", "stt_provider": "whisper"},
    )

    assert answer.status_code == 202, answer.text
    assert answer.json()["options"]["language"] == "fr"


def test_typed_text_in_another_language_is_accepted(http: TestClient) -> None:
    answer = http.post("/v1/jobs", data={"text": "Bonjour, rappelez-moi.", "language": "fr"})

    assert answer.status_code == 202, answer.text
