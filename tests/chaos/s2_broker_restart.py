"""2. Interrupt the broker mid-batch. 2a: stop it (SIGTERM); the supervisor starts it again
from its AOF. 2b: it stays up and drops every client's connection (``CLIENT KILL``), as a
network blip or a proxy would: kombu then hands back the unacknowledged messages at once,
and those of tasks still running must not run a second time. 2c: it is stopped (SIGSTOP)
for longer than the API's broker budget, accepting connections and answering nothing: the
API refuses submissions with 503 meanwhile, and the calls it gave up on, which the broker
runs when it resumes, must make no job.

Submissions keep arriving during the outage: those answered 503 are not submissions. Every
accepted job must end, and the workers must go on consuming after Celery reconnects, without
exiting.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

import redis

from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack, Submitted
from tests.chaos.tally import Row, expect_status, seconds, tally

JOBS = 50
PACE_S = 0.12
STOP_AFTER_S = 2.5


def run() -> list[Row]:
    return [
        _interrupted("2a broker SIGTERM + restart", "broker", _stop_broker),
        _interrupted("2b broker drops its clients", "blip", _drop_clients),
        _interrupted("2c broker stopped (SIGSTOP)", "pause", _pause_broker),
    ]


def _interrupted(name: str, stack_name: str, interrupt: Callable[[ChaosStack], float]) -> Row:
    row = Row(name)
    fakes = ChaosFakes()
    # Jobs spend a while in every stage, so the outage catches some in each.
    fakes.openai.latency_s = 0.3
    fakes.anthropic.latency_s = 0.3
    with ChaosStack(
        stack_name,
        fakes,
        sweeper={"interval_s": 1.0, "grace_s": 2.0, "queue_wait_s": 30.0, "max_redrives": 2},
    ) as stack:
        entries: list[Submitted] = []
        refused: list[int] = []

        def submitter() -> None:
            for n in range(JOBS):
                entry = stack.submit(n)
                if entry is None:
                    refused.append(n)
                else:
                    entries.append(entry)
                time.sleep(PACE_S)

        thread = threading.Thread(target=submitter, name="chaos-submit")
        thread.start()
        time.sleep(STOP_AFTER_S)
        outage_s = interrupt(stack)
        thread.join()
        times = stack.wait_terminal(entries, timeout_s=120)
        jobs = tally(row, stack, entries, redrives=True)
        expect_status(row, jobs, "succeeded")
        redrives = sum(j.redrives for j in jobs.values())
        # A refused submission must have been undone: no stage of it may run.
        ghosts = [n for n in refused if fakes.served.get("stt", n)]
        if ghosts:
            row.problems.append(f"refused submissions {ghosts} were transcribed anyway")
        phantoms = set(stack.jobs.all_ids()) - {e.job_id for e in entries}
        if phantoms:
            row.problems.append(f"jobs in the store that the API refused: {sorted(phantoms)}")
        # Celery reconnects by itself. A worker that exited instead (Celery 5.7.0 with kombu's
        # own Redis transport: shared/broker_transport.py) was restarted by the supervisor,
        # but a task its exit cut short ran again and called its vendor twice.
        restarted = [
            c.name for c in stack.stack.children if c.restarts and c.name.startswith("worker")
        ]
        if restarted:
            row.problems.append(f"workers exited in the outage, not reconnecting: {restarted}")
        row.notes.append(
            f"broker unreachable {outage_s:.1f} s; {len(refused)} submissions refused with 503; "
            f"re-driven by the sweeper {redrives}; time to terminal {seconds(times.values())}"
        )
        stack.keep = stack.keep or not row.ok
    return row


def _drop_clients(stack: ChaosStack) -> float:
    """Close every client connection but this one; the broker stays up (0 s unreachable)."""
    client = redis.Redis.from_url(stack.settings.broker.url, socket_timeout=1)
    try:
        client.client_kill_filter(_type="normal", skipme=True)
    finally:
        client.close()
    return 0.0


# Twice the API's default budget (broker.api_timeout_s): submissions meanwhile are refused.
PAUSE_S = 6.0


def _pause_broker(stack: ChaosStack) -> float:
    """SIGSTOP Valkey for PAUSE_S, then SIGCONT; it was unreachable that long."""
    child = stack.stack.child("valkey")
    assert child.process is not None
    child.process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(PAUSE_S)
    finally:
        child.process.send_signal(signal.SIGCONT)
    return PAUSE_S


def _stop_broker(stack: ChaosStack) -> float:
    """SIGTERM Valkey (it writes its AOF and exits); seconds until it answers again."""
    child = stack.stack.child("valkey")
    assert child.process is not None
    old = child.process.pid
    client = redis.Redis.from_url(stack.settings.broker.url, socket_timeout=1)
    started = time.monotonic()
    child.process.send_signal(signal.SIGTERM)
    try:
        while time.monotonic() - started < 60:
            time.sleep(0.1)
            restarted = child.process is not None and child.process.pid != old
            try:
                if restarted and client.ping():
                    return time.monotonic() - started
            except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
                continue
        raise RuntimeError("the supervisor did not bring the broker back in 60 s")
    finally:
        client.close()
