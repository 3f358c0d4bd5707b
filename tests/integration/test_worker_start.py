"""What workers load as they start: process-pool children their stage's offline model, the
llm worker's threads the name lists its redaction reads."""

from __future__ import annotations

import os
import time

import pytest

from tests.integration.conftest import RunningStack, stack_pids

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("stage", ["stt", "tts"])
def test_a_prefork_child_loads_its_model_before_its_first_job(
    running_stack: RunningStack, stage: str
) -> None:
    log = running_stack.stack.logs_dir / f"worker-{stage}.log"
    wanted = f"{stage} provider 'local' loaded at worker start"
    deadline = time.monotonic() + 60
    while wanted not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"{log} never said {wanted!r}"
        time.sleep(0.5)

    assert "preloading the" not in log.read_text(errors="replace")


def test_the_llm_worker_s_thread_pool_loads_the_known_names_before_its_first_job(
    running_stack: RunningStack,
) -> None:
    # Its replies are redacted by name; it loaded the lists in its first redacting job.
    log = running_stack.stack.logs_dir / "worker-llm.log"
    deadline = time.monotonic() + 60
    while "known names loaded at worker start" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"{log} never said the names were loaded"
        time.sleep(0.5)


def test_workers_and_their_pool_children_run_below_the_api(running_stack: RunningStack) -> None:
    pids = stack_pids(running_stack)
    workers = {name: pid for name, pid in pids.items() if name.startswith("worker")}
    assert any("/child" in name for name in workers), pids  # a prefork child is among them
    api = [pid for name, pid in pids.items() if name.startswith("api")]
    assert api, pids
    assert all(os.getpriority(os.PRIO_PROCESS, pid) == 0 for pid in api)
    niceness = {name: os.getpriority(os.PRIO_PROCESS, pid) for name, pid in workers.items()}
    assert niceness == dict.fromkeys(workers, running_stack.settings.workers.nice)
    assert running_stack.settings.workers.nice == 10
