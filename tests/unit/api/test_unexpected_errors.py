"""An exception no handler takes (a bug) on the JSON API: a 500 in the API's error shape, or
OpenAI's on its routes, with a reference the log shows, and nothing of the exception."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.openai_compat.models
from shared.jobstore import JobStore
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client

DETAIL = "boom at /srv/voicepipe/secret-path"


def _lenient(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    # As a server answers: the exception is not raised into the test.
    http = app_client(tmp_path, valkey)
    return TestClient(http.app, raise_server_exceptions=False)


def _fail(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError(DETAIL)


def test_an_unexpected_error_is_a_json_500_naming_a_reference_the_log_shows(
    tmp_path: Path,
    valkey: ValkeyProcess,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(JobStore, "get", _fail)
    with (
        _lenient(tmp_path, valkey) as http,
        caplog.at_level(logging.ERROR, logger="voicepipe.api"),
    ):
        answer = http.get("/v1/jobs/job_0123456789abcdef0123456789ab?q=words")

    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "internal_error"
    assert "secret-path" not in answer.text
    assert "RuntimeError" not in answer.text
    found = re.search(r"reference (req_[0-9a-f]{32})", error["message"])
    assert found
    # The same id the answer's X-Request-Id gives, which an OpenAI SDK shows on its error.
    assert found.group(1) == answer.headers["x-request-id"]
    logged = [r.getMessage() for r in caplog.records if found.group(1) in r.getMessage()]
    assert len(logged) == 1
    assert "GET /v1/jobs/job_0123456789abcdef0123456789ab" in logged[0]
    assert "words" not in logged[0]


def test_an_unexpected_error_on_an_openai_route_is_openais_server_error(
    tmp_path: Path, valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api.openai_compat.models, "model_ids", _fail)
    with _lenient(tmp_path, valkey) as http:
        answer = http.get("/v1/models")

    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["type"] == "server_error"
    assert error["code"] == "internal_error"
    assert "reference" in error["message"]
    assert "secret-path" not in answer.text
