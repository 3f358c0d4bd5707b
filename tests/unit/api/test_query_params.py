"""A query parameter that holds one value, sent twice, is refused naming it on every route,
rather than answered with whichever came last."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/jobs/job_0123456789abcdef/transcript?format=json&format=srt", "format"),
        ("/v1/jobs?limit=1&limit=50", "limit"),
        ("/v1/usage?format=json&from=2026-11-01&format=csv", "format"),
    ],
)
def test_a_single_valued_query_parameter_sent_twice_is_refused_naming_it(
    http: TestClient, path: str, name: str
) -> None:
    answer = http.get(path)

    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert f"query parameter {name!r} was sent 2 times" in error["message"]


def test_a_query_parameter_sent_once_is_read_as_before(http: TestClient) -> None:
    assert http.get("/v1/jobs?limit=1").status_code == 200
