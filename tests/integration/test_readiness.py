"""/readyz turns not ready when a pool has no live worker consuming its queue, and ready
again when one consumes it again, as the workers' own notes in the broker say."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.integration.conftest import RunningStack, paused_pool

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
    def readiness() -> httpx.Response:
        return running_stack.http.get("/readyz")

    with paused_pool(running_stack, "tts"):
        assert _until(lambda: readiness().status_code == 503, timeout_s=15)
        body = readiness().json()
        assert body["checks"]["pools"] == "no live worker for: tts"
        assert body["pools"]["tts"] == 0
        assert body["pools"]["stt"] >= 1
    assert _until(lambda: readiness().status_code == 200, timeout_s=15)
