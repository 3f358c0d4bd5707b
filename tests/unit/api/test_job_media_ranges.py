"""GET /v1/jobs/{id}/audio and /reply answer HEAD and single byte ranges, as the inbox's
players' media do (real app, real Valkey, local storage)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from shared.models import Job, JobOptions, JobStatus
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta

RECORDING = bytes(range(256)) * 4
REPLY = b"ID3" + bytes(range(97))


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, storage={"local_dir": tmp_path / "objects"}
    )
    return TestClient(create_app(settings))


@pytest.fixture
def job(http: TestClient) -> Job:
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    made = Job(options=JobOptions(), input=wav_input_meta(key="t/in/vm.wav", size_bytes=1024))
    made.status = JobStatus.SUCCEEDED
    made.results.reply_audio_key = "t/out/reply.mp3"
    made.results.reply_audio_media_type = "audio/mpeg"
    services.storage.put("t/in/vm.wav", RECORDING)
    services.storage.put("t/out/reply.mp3", REPLY)
    services.jobs.create(made)
    return made


@pytest.mark.parametrize(
    ("path", "whole"), [("audio", RECORDING), ("reply", REPLY)], ids=["audio", "reply"]
)
def test_a_byte_range_of_a_jobs_audio_is_answered_206_with_its_content_range(
    http: TestClient, job: Job, path: str, whole: bytes
) -> None:
    answer = http.get(f"/v1/jobs/{job.id}/{path}", headers={"Range": "bytes=10-19"})

    assert answer.status_code == 206, answer.text
    assert answer.content == whole[10:20]
    assert answer.headers["content-range"] == f"bytes 10-19/{len(whole)}"
    assert answer.headers["accept-ranges"] == "bytes"
    assert "filename=" in answer.headers["content-disposition"]


@pytest.mark.parametrize(
    ("path", "whole"), [("audio", RECORDING), ("reply", REPLY)], ids=["audio", "reply"]
)
def test_head_of_a_jobs_audio_gives_the_get_headers_without_the_body(
    http: TestClient, job: Job, path: str, whole: bytes
) -> None:
    answer = http.head(f"/v1/jobs/{job.id}/{path}")

    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-length"] == str(len(whole))
    assert answer.headers["accept-ranges"] == "bytes"


def test_a_range_beyond_the_end_is_416_and_no_range_gets_the_whole(
    http: TestClient, job: Job
) -> None:
    beyond = http.get(f"/v1/jobs/{job.id}/reply", headers={"Range": f"bytes={len(REPLY)}-"})
    whole = http.get(f"/v1/jobs/{job.id}/reply")
    tail = http.head(f"/v1/jobs/{job.id}/audio", headers={"Range": "bytes=-24"})

    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(REPLY)}"
    assert whole.status_code == 200
    assert whole.content == REPLY
    assert tail.status_code == 206
    assert tail.headers["content-range"] == "bytes 1000-1023/1024"
    assert tail.headers["content-length"] == "24"


def test_the_openapi_document_lists_head_beside_get_for_each_download(http: TestClient) -> None:
    paths = http.get("/openapi.json").json()["paths"]

    for tail in ("audio", "reply", "redacted-audio", "listening-copy"):
        item = paths[f"/v1/jobs/{{job_id}}/{tail}"]
        assert {"get", "head"} <= set(item), tail
        assert "206" in item["get"]["responses"], tail
