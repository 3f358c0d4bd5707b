"""Turning a scenario's jobs, the vendors' logs and storage into one row of the table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.models import Job
from tests.chaos.harness import ChaosStack, Submitted


@dataclass
class Row:
    scenario: str
    submitted: int = 0
    succeeded: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    canceled: int = 0
    lost: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.problems)


def tally(
    row: Row,
    stack: ChaosStack,
    entries: list[Submitted],
    *,
    crashes_in: frozenset[str] = frozenset(),
    redrives: bool = False,
) -> dict[str, Job]:
    """Fill ``row`` from the jobs' final records, the fakes' served calls and storage.

    Duplicates per job: successful provider answers per stage beyond one, less the reruns
    the job record itself explains when the scenario caused them: the stage's ``crashes``
    for the stages in ``crashes_in`` (a delivery found the stage still running because the
    scenario killed its worker) and, with ``redrives``, the job's re-drives by the sweeper.
    Anything beyond is a stage whose side effect happened twice.
    """
    row.submitted += len(entries)
    for status, count in stack.refused.items():
        row.problems.append(f"{count} submissions answered {status} (not 202 or 503)")
    stack.refused.clear()
    jobs: dict[str, Job] = {}
    served = stack.fakes.served
    for entry in entries:
        job = stack.job(entry.job_id)
        if job is None or not job.status.terminal:
            row.lost += 1
            state = "missing from the store" if job is None else f"still {job.status.value}"
            row.problems.append(f"{entry.job_id} (n={entry.n}) {state}")
            continue
        jobs[entry.job_id] = job
        if job.status.value == "succeeded":
            row.succeeded += 1
        elif job.status.value == "canceled":
            row.canceled += 1
        else:
            row.failed[job.error.code if job.error else "unknown"] += 1
        extra, why = _duplicates(stack, entry, job, crashes_in, redrives)
        if extra:
            row.duplicates += extra
            row.problems.append(f"{job.id} (n={entry.n}) {why}")
        problem = stack.objects_problem(job)
        if problem:
            row.problems.append(problem)
    answers = {
        stage: sum(served.get(stage, e.n) for e in entries) for stage in ("stt", "llm", "tts")
    }
    row.notes.append(f"provider answers for {len(entries)} jobs: {answers}")
    return jobs


def _duplicates(
    stack: ChaosStack, entry: Submitted, job: Job, crashes_in: frozenset[str], redrives: bool
) -> tuple[int, str]:
    """Stage side effects of one job beyond one per stage that nothing explains, and why."""
    served = stack.fakes.served
    calls = {stage.value: served.get(stage.value, entry.n) for stage in job.stages}
    extra = sum(
        max(0, calls[stage.value] - 1 - (rec.crashes if stage.value in crashes_in else 0))
        for stage, rec in job.stages.items()
    )
    if redrives:
        extra = max(0, extra - job.redrives)
    # Never explained: the job had already ended when its output was written again.
    late = stack.late_writes(job)
    crashes = {stage.value: rec.crashes for stage, rec in job.stages.items()}
    why = f"vendor answers {calls}, crashes {crashes}, redrives {job.redrives}"
    if late:
        why += f"; {late} rewritten after the job ended"
    return extra + len(late), why


def expect_status(row: Row, jobs: dict[str, Job], status: str, code: str | None = None) -> None:
    for job in jobs.values():
        got = job.error.code if job.error else None
        if job.status.value != status or (code is not None and got != code):
            row.problems.append(f"{job.id} ended {job.status.value} ({got}), expected {status}")


def seconds(values: Iterable[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    return f"p50 {ordered[len(ordered) // 2]:.1f} s, max {ordered[-1]:.1f} s"
