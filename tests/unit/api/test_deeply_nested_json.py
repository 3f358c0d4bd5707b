"""A JSON body nested deeper than the parser reads (FastAPI's json.loads stops with a
RecursionError, which it answers as "There was an error parsing the body") is refused as
JSON that cannot be read, on every JSON route: it was worded as a multipart form missing
its recording ('file'), a request these routes never take."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_json_body_nested_too_deeply_is_invalid_json_not_an_unreadable_form(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    http = app_client(tmp_path, valkey)
    made = http.post("/v1/jobs", data={"text": "Call me back", "stages": "stt,llm"})
    job_id = made.json()["id"]
    json_body = {"Content-Type": "application/json"}

    for path in (f"/v1/jobs/{job_id}/reviews", "/v1/audio/speech", "/v1/batches"):
        answer = http.post(path, content=DEEP, headers=json_body)

        assert answer.status_code == 400, (path, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "invalid_json", (path, error)
        assert "multipart" not in error["message"]
        assert "'file'" not in error["message"]
