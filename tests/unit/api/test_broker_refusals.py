"""A broker that answers but will not write (full at its memory limit, or a read-only
replica during a failover): every route that writes answers 503 saying which, reads go on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from api.main import create_app
from shared.models import Job
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.app_client import app_client, services_of
from tests.unit.api.test_storage_outage import _wav

REFUSALS = {
    # maxmemory below what the server already holds, with no eviction: every write refused.
    "full": (lambda r: r.config_set("maxmemory", "1"), "is full"),
    # A replica of a primary that is not there: every write refused as READONLY.
    "read-only": (lambda r: r.replicaof("127.0.0.1", "1"), "is read-only"),
}


def _writes(http: TestClient, job: Job) -> dict[str, Callable[[], httpx.Response]]:
    return {
        "delete": lambda: http.delete(f"/v1/jobs/{job.id}"),
        "review": lambda: http.post(f"/v1/jobs/{job.id}/reviews", json={"done": True}),
        "submit": lambda: http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}),
        "batch": lambda: http.post(
            "/v1/batches", files=[("file", ("vm.wav", _wav(), "audio/wav"))]
        ),
        "batch with a key": lambda: http.post(
            "/v1/batches",
            files=[("file", ("vm.wav", _wav(), "audio/wav"))],
            headers={"Idempotency-Key": "k1"},
        ),
    }


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
def test_a_broker_that_refuses_writes_is_a_503_saying_why_and_reads_go_on(
    tmp_path: Path, valkey: ValkeyProcess, refusal: str
) -> None:
    http = app_client(tmp_path, valkey)
    job = voicemail_job(tenant="default")
    services_of(http).jobs.create(job)
    refuse, says = REFUSALS[refusal]
    refuse(redis.Redis.from_url(valkey.url))

    for name, write in _writes(http, job).items():
        answer = write()

        assert answer.status_code == 503, (name, answer.text)
        error = answer.json()["error"]
        assert error["code"] in {"broker_unavailable", "job_store_unavailable"}, (name, error)
        assert says in error["message"], (name, error["message"])
        assert "not reachable" not in error["message"]
        assert answer.headers["Retry-After"] == "5"
    assert http.get(f"/v1/jobs/{job.id}").status_code == 200
    assert http.get("/v1/jobs").json()["total"] == 1, "nothing made, nothing deleted"


def test_a_broker_url_naming_a_database_the_server_lacks_is_a_503_naming_the_variable(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # A server has 16 databases unless configured otherwise; only the server knows, so the
    # settings cannot refuse it. Every route was a 500 "unexpected error", and /readyz said
    # only "ResponseError".
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": f"redis://127.0.0.1:{valkey.port}/99"},
        storage={"local_dir": tmp_path / "objects"},
    )
    http = TestClient(create_app(settings), raise_server_exceptions=False)

    answers = {
        "list": http.get("/v1/jobs"),
        "submit": http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}),
    }
    ready = http.get("/readyz")

    for name, answer in answers.items():
        assert answer.status_code == 503, (name, answer.text)
        assert "VOICEPIPE_BROKER__URL" in answer.json()["error"]["message"], name
    assert ready.status_code == 503
    assert "VOICEPIPE_BROKER__URL" in ready.json()["checks"]["broker"]
