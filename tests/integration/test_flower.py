"""Flower sees the three pools and the tasks they ran."""

from __future__ import annotations

import time

import httpx
import pytest

from tests import audio_factory as af
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


def test_flower_shows_one_worker_per_queue_and_their_tasks(running_stack: RunningStack) -> None:
    job = running_stack.http.post(
        "/v1/jobs", files={"file": ("tone.wav", af.encode("wav", 1.0))}
    ).json()
    running_stack.wait(job["id"])
    flower = f"http://127.0.0.1:{running_stack.settings.flower.port}"
    auth = running_stack.stack.flower_credentials()

    deadline = time.monotonic() + 30
    while True:
        workers = httpx.get(
            f"{flower}/api/workers", params={"refresh": "1"}, auth=auth, timeout=10
        ).json()
        tasks = httpx.get(f"{flower}/api/tasks", auth=auth, timeout=10).json()
        queues = {
            name.split("@")[0]: [q["name"] for q in info.get("active_queues", [])]
            for name, info in workers.items()
        }
        ran = {
            t["name"]
            for t in tasks.values()
            if t.get("args") == repr([job["id"]]) or job["id"] in str(t.get("args"))
        }
        if len(ran) == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.5)

    assert queues == {q: [q] for q in ("stt", "llm", "tts", "ingest", "webhooks")}
    assert ran == {"voicepipe.stt", "voicepipe.llm", "voicepipe.tts"}


def test_flower_refuses_requests_without_credentials(running_stack: RunningStack) -> None:
    flower = f"http://127.0.0.1:{running_stack.settings.flower.port}"

    assert httpx.get(f"{flower}/api/workers", timeout=10).status_code == 401
