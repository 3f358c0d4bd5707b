"""6. The same stage message delivered more than once (at-least-once delivery).

Extra copies of a job's messages are published the way a redelivery would bring them:
A: stt twice more right after submission (while queued or transcribing); B: llm twice more
while Claude is answering; C: llm again once it has finished (tts running); D: the whole
chain again after the job succeeded. Each job must still have exactly one successful vendor
call per stage, one attempt per stage and its four objects written once. Row 6a holds the
copies that arrive while the stage runs (A, B), 6b those that arrive after it (C, D).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from celery import Celery

from shared.celery_app import TASK_NAMES, create_celery
from shared.models import Stage
from shared.pipeline import enqueue
from shared.queue_depth import priority_lists
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack, Submitted
from tests.chaos.tally import Row, expect_status, tally

GROUPS = {
    "A stt x3 at submit": range(0, 5),
    "B llm x3 while running": range(5, 10),
    "C llm x2 after done": range(10, 15),
    "D chain x2 after success": range(15, 20),
}


CONCURRENT = ("A stt x3 at submit", "B llm x3 while running")


def run() -> list[Row]:
    rows = {True: Row("6a copies while the stage runs"), False: Row("6b copies after it is done")}
    fakes = ChaosFakes()
    # Stages slow enough that a copy arrives while the first delivery is still running.
    fakes.openai.latency_s = 0.5
    fakes.anthropic.latency_s = 1.5
    with ChaosStack("dup", fakes) as stack:
        app = create_celery(stack.settings)
        try:
            entries = stack.submit_batch(n for ns in GROUPS.values() for n in ns)
            by_n = {e.n: e for e in entries}
            for n in GROUPS["A stt x3 at submit"]:
                _send(app, Stage.STT, by_n[n].job_id, copies=2)
            triggers = _triggers(stack, app, by_n)
            stack.wait_terminal(entries, timeout_s=60, until=lambda: _fire(triggers))
            _fire(triggers)  # group D fires on success, which may be the last poll's news
            for n in triggers:  # the job moved past its moment between two polls
                group = next(g for g, ns in GROUPS.items() if n in ns)
                rows[group in CONCURRENT].problems.append(f"{group}: copies for {n} never sent")
            _drain(stack)
        finally:
            app.close()
        for concurrent, row in rows.items():
            groups = {g: ns for g, ns in GROUPS.items() if (g in CONCURRENT) == concurrent}
            part = [by_n[n] for ns in groups.values() for n in ns if n in by_n]
            jobs = tally(row, stack, part)
            expect_status(row, jobs, "succeeded")
            for group, numbers in groups.items():
                for n in numbers:
                    job = jobs.get(by_n[n].job_id) if n in by_n else None
                    if job is None:
                        continue
                    counts = {s.value: (r.attempts, r.crashes) for s, r in job.stages.items()}
                    if any(c != (1, 0) for c in counts.values()):
                        row.problems.append(f"{group}: {job.id} (attempts, crashes) {counts}")
        stack.keep = stack.keep or not all(row.ok for row in rows.values())
    return list(rows.values())


def _send(app: Celery, stage: Stage, job_id: str, copies: int) -> None:
    for _ in range(copies):
        app.send_task(TASK_NAMES[stage], args=[job_id], queue=stage.value)


Trigger = tuple[Callable[[], bool], Callable[[], None]]


def _triggers(stack: ChaosStack, app: Celery, by_n: dict[int, Submitted]) -> dict[int, Trigger]:
    """Per job: when to publish its copies, and how."""

    def status_is(entry: Submitted, *wanted: str) -> Callable[[], bool]:
        def check() -> bool:
            job = stack.job(entry.job_id)
            return job is not None and job.status.value in wanted

        return check

    def chain_again(entry: Submitted) -> Callable[[], None]:
        def send() -> None:
            job = stack.job(entry.job_id)
            if job is not None:
                enqueue(app, job)

        return send

    triggers: dict[int, Trigger] = {}
    for n in GROUPS["B llm x3 while running"]:
        entry = by_n[n]
        triggers[n] = (
            status_is(entry, "responding"),
            partial(_send, app, Stage.LLM, entry.job_id, 2),
        )
    for n in GROUPS["C llm x2 after done"]:
        entry = by_n[n]
        triggers[n] = (
            status_is(entry, "synthesizing"),
            partial(_send, app, Stage.LLM, entry.job_id, 1),
        )
    for n in GROUPS["D chain x2 after success"]:
        entry = by_n[n]
        triggers[n] = (status_is(entry, "succeeded"), chain_again(entry))
    return triggers


def _fire(triggers: dict[int, Trigger]) -> None:
    for n, (ready, send) in list(triggers.items()):
        if ready():
            send()
            del triggers[n]


def _drain(stack: ChaosStack, timeout_s: float = 30) -> None:
    """Wait until every copy has been consumed and acknowledged."""
    client = stack.jobs.redis
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        # Every priority list: these are a batch's jobs, whose messages go at the batch's.
        lists = [name for stage in Stage for name in priority_lists(stage.value)]
        queued = sum(int(client.llen(name)) for name in lists)
        if not queued and not client.hlen("unacked"):
            break
        time.sleep(0.2)
    time.sleep(1.0)  # the last acknowledged copy may still be writing its record
