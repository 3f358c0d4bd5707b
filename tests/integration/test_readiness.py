"""/readyz turns not ready when a pool has no live worker consuming its queue, and ready
again when one consumes it again, as the workers' own notes in the broker say."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from shared.celery_app import create_celery
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


def _until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_a_pool_whose_worker_stops_consuming_makes_the_stack_not_ready_until_it_resumes(
    running_stack: RunningStack,
) -> None:
    app = create_celery(running_stack.settings)
    names = [name for reply in app.control.ping(timeout=2.0) for name in reply]
    tts = [name for name in names if name.startswith("tts@")]
    assert tts, names

    def readiness() -> httpx.Response:
        return running_stack.http.get("/readyz")

    app.control.cancel_consumer("tts", destination=tts, reply=True)
    try:
        assert _until(lambda: readiness().status_code == 503, timeout_s=15)
        body = readiness().json()
        assert body["checks"]["pools"] == "no live worker for: tts"
        assert body["pools"]["tts"] == 0
        assert body["pools"]["stt"] >= 1
    finally:
        app.control.add_consumer("tts", destination=tts, reply=True)
    assert _until(lambda: readiness().status_code == 200, timeout_s=15)
