"""The API with its broker (the job store and queue) down, or stopped so that it accepts
connections and answers nothing: every route that needs it answers 503 with a JSON error
within seconds, a refused submission leaves nothing behind, and the API finds the broker
again by itself when it is back.

Before, a broker that was down held each request ~19 s (the stores' retries), one that did
not answer ~95 s or more; reads answered 500 with a plain-text body; and the submissions
refused while it was stopped were made anyway when it resumed, their input deleted.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from api.main import create_app
from shared.settings import Settings
from tests.audio_factory import tone
from tests.conftest import ValkeyProcess

pytestmark = pytest.mark.integration

# The API's budget (broker.api_timeout_s) is 3 s by default; each route below waits it out,
# so the tests give it 1 s. The bound is generous against either: without the budget a
# route held ~19 s (broker down) or ~95 s (not answering).
BUDGET_S = 1.0
WITHIN_S = 10.0
# Probes have short timeouts of their own: /readyz gives up on the broker after 1 s.
READY_WITHIN_S = 5.0


def _wav() -> bytes:
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(tone(1.0).tobytes())
    return out.getvalue()


WAV = _wav()


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url, "api_timeout_s": BUDGET_S},
        storage={"local_dir": tmp_path / "objects"},
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _objects(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "objects").rglob("*") if p.is_file())


def _timed(call: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    answer = call()
    return answer, time.monotonic() - began


def _submit(http: TestClient) -> httpx.Response:
    return http.post("/v1/jobs", files={"file": ("vm.wav", WAV, "audio/wav")})


def _every_route_answers_503_in_time(http: TestClient, job_id: str) -> None:
    # First the batch: the first call to find the store's connection open, whose command
    # the stopped broker keeps (later calls open connections it never answers).
    calls: dict[str, Callable[[], httpx.Response]] = {
        "submit batch": lambda: http.post(
            "/v1/batches", files=[("file", ("vm.wav", WAV, "audio/wav"))]
        ),
        "submit": lambda: _submit(http),
        "submit text": lambda: http.post("/v1/jobs", data={"text": "call me back"}),
        "get": lambda: http.get(f"/v1/jobs/{job_id}"),
        "list": lambda: http.get("/v1/jobs"),
        "cancel": lambda: http.post(f"/v1/jobs/{job_id}/cancel"),
    }
    for name, call in calls.items():
        answer, took = _timed(call)
        assert answer.status_code == 503, (name, answer.text)
        code = answer.json()["error"]["code"]
        assert code in {"job_store_unavailable", "broker_unavailable"}, (name, code)
        assert answer.headers["Retry-After"] == "5", (name, answer.headers)
        assert took < WITHIN_S, (name, took)
    ready, took = _timed(lambda: http.get("/readyz"))
    assert ready.status_code == 503
    assert ready.json()["checks"]["broker"].startswith("unavailable")
    assert took < READY_WITHIN_S


def _all_works_again(http: TestClient, job_id: str) -> None:
    assert http.get(f"/v1/jobs/{job_id}").status_code == 200
    assert _submit(http).status_code == 202
    assert http.get("/readyz").json()["checks"]["broker"] == "ok"


def test_with_the_broker_down_routes_answer_503_within_seconds_and_recover_when_it_is_back(
    http: TestClient, valkey: ValkeyProcess, tmp_path: Path
) -> None:
    first = _submit(http)
    assert first.status_code == 202
    job_id = first.json()["id"]
    stored = _objects(tmp_path)

    valkey.stop()
    _every_route_answers_503_in_time(http, job_id)
    assert _objects(tmp_path) == stored  # refused uploads were deleted again

    valkey.start()  # same port, same files: the first job is still there
    _all_works_again(http, job_id)


@contextmanager
def _stopped(valkey: ValkeyProcess) -> Iterator[None]:
    """SIGSTOP: connections are still accepted (by the kernel), nothing is answered."""
    assert valkey.process is not None
    os.kill(valkey.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(valkey.process.pid, signal.SIGCONT)


def test_with_the_broker_not_answering_routes_answer_503_within_seconds_and_make_nothing_later(
    http: TestClient, valkey: ValkeyProcess, tmp_path: Path
) -> None:
    first = _submit(http)
    assert first.status_code == 202
    job_id = first.json()["id"]
    assert http.get(f"/v1/jobs/{job_id}").status_code == 200  # the store's connection open
    stored = _objects(tmp_path)

    with _stopped(valkey):
        _every_route_answers_503_in_time(http, job_id)

    # What the API sent the stopped broker runs now that it resumes: the submissions it
    # refused must not be made (their inputs are gone).
    broker = redis.Redis.from_url(valkey.url)
    broker.ping()
    time.sleep(0.5)
    assert [i.decode() for i in broker.zrange("vp:jobs:default", 0, -1)] == [job_id]
    assert broker.zcard("vp:batches:default") == 0
    for items in broker.scan_iter("vp:batch:*:items"):  # pushed before the batch: they expire
        assert broker.ttl(items) > 0
    assert _objects(tmp_path) == stored
    _all_works_again(http, job_id)
