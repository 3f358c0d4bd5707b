"""Data outlives the processes: stop the stack, start it again, the jobs are there."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from api.cli.stack import Stack
from tests import audio_factory as af
from tests.integration.conftest import stack_settings

pytestmark = pytest.mark.integration


def test_jobs_submitted_before_a_restart_are_still_readable(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path / "data", providers={"stt": "pocketsphinx"})
    base = settings.api.base_url
    with Stack(settings, flower=False):
        job_id = httpx.post(
            f"{base}/v1/jobs", files={"file": ("a.wav", af.encode("wav", 1.0))}, timeout=30
        ).json()["id"]
        for _ in range(600):
            before = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10).json()
            if before["status"] in {"succeeded", "failed"}:
                break
            time.sleep(0.2)
        assert before["status"] == "succeeded", before

    with Stack(settings, flower=False):
        after = httpx.get(f"{base}/v1/jobs/{job_id}", timeout=10)
        audio = httpx.get(f"{base}/v1/jobs/{job_id}/reply", timeout=10)

    assert after.status_code == 200
    assert after.json() == before
    assert audio.status_code == 200
    assert len(audio.content) > 1000


def test_a_worker_the_supervisor_restarted_still_gets_a_warm_shutdown_at_stop(
    tmp_path: Path,
) -> None:
    # The restarted worker was started by the supervisor's watcher thread; Linux sends its
    # parent-death signal (SIGKILL for a worker) when that thread ends, so the watcher must
    # outlive the stop.
    stack = Stack(
        stack_settings(tmp_path / "data", providers={"stt": "pocketsphinx"}), flower=False
    )
    with stack:
        worker = stack.child("worker-llm")
        assert worker.process is not None
        first = worker.process
        first.kill()
        deadline = time.monotonic() + 30
        while worker.process is first and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.process is not first, "the supervisor did not restart the worker"
        stack.wait_ready(60)
    assert worker.process is not None
    assert worker.process.returncode == 0  # SIGTERM, Celery's warm shutdown; not -9
