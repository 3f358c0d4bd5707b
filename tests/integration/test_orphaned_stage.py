"""A stt worker killed whole mid-stage (its main process and its prefork children, as the
OOM killer taking the main process would; the supervisor starts it again under its name) or
frozen whole (a node cut off: silent, never restarted): the sweeper re-drives the job, long
before the stage's hard time limit plus grace, and the job succeeds on another stt worker.
While the worker lived, busy in the same long stage, nothing was re-driven: it beats on
while a child does the work. A frozen worker that wakes after the re-drive changes nothing.

The stack runs two stt workers of one prefork slot each, and a transcriber that holds its
calls while a gate file exists (tests/plugins/gated_stt.py).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.cli.stack import Stack
from shared import provider_catalog as catalog
from shared.models import Job, Stage, StageStatus
from tests.audio_factory import encode_samples, tone
from tests.chaos.procs import children
from tests.integration.conftest import RunningStack, stack_settings, started

pytestmark = pytest.mark.integration

PLUGIN = "tests.plugins.gated_stt"
SILENCE_S = 10.0
LIMIT_S, GRACE_S = 120, 60


@dataclass
class Timeline:
    """Seconds from the stage's start: the kill, the re-drive, the job's end."""

    killed: float
    node: str
    redriven: float
    ended: float
    job: Job

    @property
    def old_deadline(self) -> float:
        return LIMIT_S + GRACE_S


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate") / "gate"


@pytest.fixture(scope="module")
def gated_stack(tmp_path_factory: pytest.TempPathFactory, gate: Path) -> Iterator[RunningStack]:
    saved = os.environ.get("VOICEPIPE_GATED__GATE")
    os.environ["VOICEPIPE_GATED__GATE"] = str(gate)
    try:
        settings = stack_settings(
            tmp_path_factory.mktemp("orphans"),
            providers={"plugins": [PLUGIN], "stt": "gated"},
            workers={
                "stt": {
                    "pool": "prefork",
                    "concurrency": 2,
                    "processes": 2,
                    "soft_time_limit_s": LIMIT_S - 10,
                    "time_limit_s": LIMIT_S,
                }
            },
            sweeper={"interval_s": 1.0, "grace_s": GRACE_S, "orphan_after_s": SILENCE_S},
        )
        with started(Stack(settings, flower=False)) as running:
            yield running
    finally:
        if saved is None:
            os.environ.pop("VOICEPIPE_GATED__GATE", None)
        else:
            os.environ["VOICEPIPE_GATED__GATE"] = saved
        catalog.unregister("stt", "gated")


def _poll(stack: RunningStack, job_id: str, until: str, timeout_s: float) -> tuple[Job, float]:
    checks = {
        "running": lambda j: j.stages[Stage.STT].status == StageStatus.RUNNING,
        "redriven": lambda j: j.redrives > 0,
        "ended": lambda j: j.status.terminal,
    }
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = stack.jobs.get(job_id)
        if checks[until](job):
            return job, time.time()
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} not {until} in {timeout_s} s: {stack.jobs.get(job_id)}")


def whole_worker(stack: RunningStack, node: str) -> list[int]:
    """The main process of the worker named ``node`` (``stt-2@host``) and its children."""
    child = stack.stack.child(f"worker-{node.partition('@')[0]}")
    assert child.process is not None
    master = child.process.pid
    return [master, *children(master)]


def signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        os.kill(pid, signum)


def orphaned_stage(
    stack: RunningStack, gate: Path, busy_s: float, wait_s: float, how: signal.Signals
) -> tuple[Timeline, list[int]]:
    """Run a job into a held stt stage, keep it busy ``busy_s``, send its whole worker
    ``how`` (SIGKILL, SIGSTOP), open the gate, and time the re-drive and the end (``wait_s``
    at most for each). Also the worker's processes."""
    audio = encode_samples(tone(1.5), "wav", 16000)
    response = stack.http.post(
        "/v1/jobs", files={"file": ("vm.wav", audio)}, data={"stages": "stt"}
    )
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    running, _ = _poll(stack, job_id, "running", 60)
    started_at = running.stages[Stage.STT].started_at
    assert started_at is not None
    node = running.stages[Stage.STT].worker
    assert node is not None
    assert node.startswith("stt")

    time.sleep(busy_s)
    still = stack.jobs.get(job_id)
    assert still.redrives == 0, "a stage whose worker still beats was re-driven"
    assert still.stages[Stage.STT].task_id == running.stages[Stage.STT].task_id
    assert still.stages[Stage.STT].status == StageStatus.RUNNING

    pids = whole_worker(stack, node)
    signal_all(pids, how)
    killed = time.time()
    gate.unlink()  # the next run of the stage goes through
    _, redriven = _poll(stack, job_id, "redriven", wait_s)
    job, ended = _poll(stack, job_id, "ended", wait_s)
    t0 = started_at.timestamp()
    return Timeline(killed - t0, node, redriven - t0, ended - t0, job), pids


def _wait_for_the_old_run_to_end(stack: RunningStack, timeline: Timeline) -> None:
    """Until the woken worker's log says how its run of the stage ended (discarded, as it
    should be, or done), instead of a fixed wait: workers.stage writes that line after
    whatever the run did to the job and its objects."""
    log = stack.stack.child(f"worker-{timeline.node.partition('@')[0]}").log_path
    said = f"job {timeline.job.id}: {Stage.STT.value} "
    deadline = time.monotonic() + 60
    while not any(
        said in line and any(end in line for end in ("discarded", "dropped", "done in"))
        for line in log.read_text(errors="replace").splitlines()
    ):
        assert time.monotonic() < deadline, f"the woken worker's run never ended ({log})"
        time.sleep(0.1)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "frozen"])
def test_a_stage_whose_worker_is_gone_is_redriven_and_succeeds_long_before_its_hard_limit(
    gated_stack: RunningStack, gate: Path, how: signal.Signals
) -> None:
    gate.touch()
    # Busy for two silences and more: the sweeper looked at it twice and left it be.
    timeline, pids = orphaned_stage(gated_stack, gate, 2 * SILENCE_S + 3, 90, how)
    if how == signal.SIGSTOP:
        # The frozen worker wakes: its run finishes and finds the job ended.
        signal_all(pids, signal.SIGCONT)
        _wait_for_the_old_run_to_end(gated_stack, timeline)
        after = gated_stack.jobs.get(timeline.job.id)
        assert after == timeline.job, "the old run changed the job the new run finished"

    print(
        f"\n{how.name} {timeline.node}: at +{timeline.killed:.1f} s, re-driven at "
        f"+{timeline.redriven:.1f} s "
        f"({timeline.redriven - timeline.killed:.1f} s after), succeeded at "
        f"+{timeline.ended:.1f} s on {timeline.job.stages[Stage.STT].worker}; the old "
        f"deadline was +{timeline.old_deadline} s"
    )
    job = timeline.job
    assert job.status == "succeeded", job.error
    assert job.redrives == 1
    assert job.stages[Stage.STT].crashes == 0
    assert timeline.ended < timeline.old_deadline
