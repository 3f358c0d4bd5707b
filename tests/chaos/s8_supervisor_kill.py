"""8. SIGKILL the `voicepipe up` supervisor mid-batch, then start it again on the same data.

The one scenario that runs the stack as a real ``voicepipe up`` process (the others run
``api.cli.stack.Stack`` in this process): it gets the scenario's settings the way the
supervisor hands its own to its children (``child_env``), so its providers are this
process's fakes and its data directory and ports are the scenario's.

Jobs are submitted at a pace stt (prefork, 2 children) cannot keep up with, so at the kill
some have ended, some run and some wait in a queue. Then only the supervisor's pid gets
SIGKILL. Every process it had below it (Valkey, the API, each queue's worker and its pool
children, the sweeper, Flower), recorded just before, must be gone within seconds (the
parent-death signal of ``api.cli.processes``) and the ports free. A second ``voicepipe up``
on the same directory and ports must come up: Valkey reloads its AOF, so the job records
and queues are back. Work lost in flight (a killed worker's running and reserved messages
wait for the broker's visibility timeout, an hour) is re-driven by the sweeper, whose
deadlines are short here. Every accepted job must succeed, none twice. Last, SIGTERM must
stop the second supervisor cleanly, nothing left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

from api.cli.child_env import child_env
from api.cli.ports import taken_ports
from shared.job_transitions import first_unfinished
from shared.settings import Settings
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack, Submitted
from tests.chaos.tally import Row, expect_status, seconds, tally

JOBS = 30
PACE_S = 0.15
# Valkey writes its AOF and uvicorn shuts down gracefully (up to 10 s with open requests);
# the Celery processes get SIGKILL and a prefork child ends when its master's pipe closes.
GONE_WITHIN_S = 15.0
PORTS_FREE_WITHIN_S = 5.0
READY_WITHIN_S = 180.0
ENDED_WITHIN_S = 180.0
# The supervisor's stop budget (settings.supervisor.stop_timeout_s, 15 s) and its own exit,
# with room for a loaded 2-core machine.
STOP_WITHIN_S = 60.0


def run() -> Row:
    row = Row("8 supervisor SIGKILL + restart")
    fakes = ChaosFakes()
    # Slow enough vendors that the kill finds jobs in every state.
    fakes.openai.latency_s = 0.4
    fakes.anthropic.latency_s = 0.5
    # Not entered: its in-process Stack stays unstarted, `voicepipe up` runs the stack.
    stack = ChaosStack(
        "supervisor",
        fakes,
        workers={
            "stt": _pool("prefork", 2),
            "llm": _pool("threads", 64),
            "tts": _pool("prefork", 2),
            # A job whose stage was running at the kill may find it running once more.
            "max_crashes": 5,
        },
        # A stage running at the kill is overdue 20 + 2 s after it started; a message the
        # killed worker had reserved, 20 s after the job's last change. Both have passed
        # by the time the second supervisor is up. A job may be re-driven for both.
        sweeper={"interval_s": 1.0, "grace_s": 2.0, "queue_wait_s": 20.0, "max_redrives": 2},
    )
    first = Supervisor(stack.settings, stack.data_dir / "up-1.log")
    second = Supervisor(stack.settings, stack.data_dir / "up-2.log")
    try:
        first.start()
        first.wait_ready(READY_WITHIN_S)
        entries = _submit_paced(stack)
        first.check()
        at_kill = _states(stack, entries)
        if not sum(n for state, n in at_kill.items() if state not in _TERMINAL):
            row.problems.append("every job had ended before the kill: it caught nothing")

        family = first.family()
        assert first.proc is not None
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        gone_s, survivors = _wait_gone(family, GONE_WITHIN_S)
        for proc in survivors:
            row.problems.append(
                f"after the SIGKILL, {_describe(proc)} still runs {GONE_WITHIN_S:.0f} s later"
            )
        _kill(survivors)  # so that the restart and later scenarios have the ports
        held = _ports_held(stack.settings)
        if held:
            row.problems.append(f"after the SIGKILL, ports still held: {held}")

        second.start()
        ready_s = second.wait_ready(READY_WITHIN_S)
        times = stack.wait_terminal(entries, timeout_s=ENDED_WITHIN_S, until=second.check)
        second.check()
        jobs = tally(row, stack, entries, redrives=True)
        expect_status(row, jobs, "succeeded")
        phantoms = set(stack.jobs.all_ids()) - {e.job_id for e in entries}
        if phantoms:
            row.problems.append(f"jobs in the store that the API refused: {sorted(phantoms)}")

        second_family = second.family()
        stop_s, code = second.terminate(STOP_WITHIN_S)
        if code != 0:
            row.problems.append(f"the second supervisor exited {code} on SIGTERM")
        _, survivors = _wait_gone(second_family, 5.0)
        for proc in survivors:
            row.problems.append(f"after the SIGTERM, {_describe(proc)} still runs")
        _kill(survivors)
        held = _ports_held(stack.settings)
        if held:
            row.problems.append(f"after the SIGTERM, ports still held: {held}")

        redrives = sum(j.redrives for j in jobs.values())
        crashes = sum(r.crashes for j in jobs.values() for r in j.stages.values())
        row.notes.append(f"at the kill: {dict(sorted(at_kill.items()))}")
        row.notes.append(
            f"{len(family)} processes under the supervisor; all gone {gone_s:.1f} s after "
            f"the SIGKILL; second supervisor ready in {ready_s:.0f} s (children it restarted: "
            f"{second.restarted() or 'none'}), stopped by SIGTERM in {stop_s:.1f} s"
        )
        row.notes.append(
            f"re-driven by the sweeper {redrives}; redelivered after a crash {crashes}; "
            f"time to terminal from submission {seconds(times.values())}"
        )
    finally:
        first.close()
        second.close()
        stack.keep = stack.keep or not row.ok
        stack.close()
    return row


def _pool(pool: str, concurrency: int) -> dict[str, object]:
    return {
        "pool": pool,
        "concurrency": concurrency,
        "soft_time_limit_s": 19,
        "time_limit_s": 20,
    }


def _submit_paced(stack: ChaosStack) -> list[Submitted]:
    entries = []
    for n in range(JOBS):
        entry = stack.submit(n)
        if entry is not None:
            entries.append(entry)
        time.sleep(PACE_S)
    return entries


_TERMINAL = {"succeeded", "failed", "canceled"}


def _states(stack: ChaosStack, entries: list[Submitted]) -> Counter[str]:
    """Where each job is: its terminal status, or its current stage and that stage's state."""
    states: Counter[str] = Counter()
    for entry in entries:
        job = stack.job(entry.job_id)
        if job is None:
            states["missing"] += 1
            continue
        stage = first_unfinished(job)
        if job.status.terminal or stage is None:
            states[job.status.value] += 1
        else:
            states[f"{stage.value} {job.stages[stage].status.value}"] += 1
    return states


class Supervisor:
    """One ``voicepipe up`` process on the scenario's data directory and ports."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # The console script's entry point, run by this interpreter: the process is not
        # named "voicepipe", so a `pkill voicepipe` elsewhere on the machine (someone
        # stopping their own stack) cannot stop this one mid-scenario.
        entry = "import sys; from api.cli import main; sys.exit(main())"
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", entry, "up"],
                env=child_env(self.settings),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def check(self) -> None:
        """Raise when the supervisor has exited (nothing in this scenario stops it then)."""
        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            raise RuntimeError(f"voicepipe up exited with {code}: {self.tail()}")

    def wait_ready(self, timeout_s: float) -> float:
        """Seconds until /readyz answers 200 (broker, storage, a live worker per queue)."""
        assert self.proc is not None
        began = time.monotonic()
        url = f"{self.settings.api.base_url}/readyz"
        while time.monotonic() - began < timeout_s:
            self.check()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"voicepipe up not ready in {timeout_s:.0f} s: {self.tail()}")

    def family(self) -> list[psutil.Process]:
        """Every process below the supervisor now (children and theirs)."""
        assert self.proc is not None
        return psutil.Process(self.proc.pid).children(recursive=True)

    def terminate(self, timeout_s: float) -> tuple[float, int]:
        """SIGTERM; seconds until the supervisor exited, and its exit code."""
        assert self.proc is not None
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout_s)
        return time.monotonic() - began, code

    def restarted(self) -> list[str]:
        """Children the supervisor saw exit and started again (its log says so)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return re.findall(r"(\S+) exited with \S+; restarting", text)

    def tail(self, chars: int = 2000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-chars:]

    def close(self) -> None:
        """Whatever happened, no supervisor of this scenario outlives it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        family = self.family()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        _kill(_wait_gone(family, 5.0)[1])


def _alive(proc: psutil.Process) -> bool:
    # An orphan's zombie (nobody reaps it in some containers) holds nothing.
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(
    processes: list[psutil.Process], timeout_s: float
) -> tuple[float, list[psutil.Process]]:
    """Seconds until all of ``processes`` were gone (or the timeout), and those still alive."""
    began = time.monotonic()
    alive = [p for p in processes if _alive(p)]
    while alive and time.monotonic() - began < timeout_s:
        time.sleep(0.1)
        alive = [p for p in alive if _alive(p)]
    return time.monotonic() - began, alive


def _describe(proc: psutil.Process) -> str:
    try:
        return f"pid {proc.pid} ({' '.join(proc.cmdline()[:6])})"
    except psutil.Error:
        return f"pid {proc.pid}"


def _kill(processes: list[psutil.Process]) -> None:
    """SIGKILL processes this scenario's supervisor started (checked by psutil: same pid
    and start time as recorded, so never a process that reused the pid)."""
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.kill()


def _ports_held(settings: Settings) -> list[str]:
    """The stack's ports still taken after ``PORTS_FREE_WITHIN_S``."""
    deadline = time.monotonic() + PORTS_FREE_WITHIN_S
    while True:
        taken = taken_ports(settings, settings.flower.enabled)
        if not taken or time.monotonic() > deadline:
            return [t.describe() for t in taken]
        time.sleep(0.2)
