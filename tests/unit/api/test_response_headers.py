"""Every answer of the API says ``X-Content-Type-Options: nosniff``: JSON, text, media,
pages, refusals and the last resort's 500, so that no browser reads a stored transcript or
an error that echoes a caller's words as HTML or script."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.jobstore import JobStore
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


def _fail(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("a bug")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/jobs", 200),
        ("GET", "/metrics", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/docs", 200),
        ("GET", "/inbox/sign-in", 200),
        ("GET", "/inbox/static/app.css", 200),
        ("GET", "/no/such/path", 404),
        ("GET", "/v1/jobs?limit=0", 422),
        ("POST", "/v1/jobs", 400),
        ("GET", "/v1/jobs/job_0123456789abcdef0123456789ab", 500),
    ],
)
def test_every_answer_says_nosniff(
    tmp_path: Path,
    valkey: ValkeyProcess,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    status: int,
) -> None:
    monkeypatch.setattr(JobStore, "get", _fail)
    http = TestClient(app_client(tmp_path, valkey).app, raise_server_exceptions=False)

    answer = http.request(method, path)

    assert answer.status_code == status, answer.text
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"]
    [request_id] = answer.headers.get_list("x-request-id")
    assert request_id.startswith("req_")
