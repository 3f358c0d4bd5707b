"""3. Vendors failing 30 % of calls (429, 529, 5xx, hangs past the client timeout), a long
streak of failures, then a vendor refusing our key outright.

Transient failures are retried with backoff until they succeed, on the job's own attempts
(``retries.max_attempts``): no job may need the sweeper to get there (3a), not even one
whose vendor fails six times in a row (3c). A 401 does not heal by waiting, so those jobs
must fail at once with ``llm.auth_failed`` after one attempt (3b).
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.models import Job, Stage
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack
from tests.chaos.tally import Row, expect_status, seconds, tally

FLAKY_JOBS = 50
STREAK_JOB = 90
STREAK = 6  # failures in a row, well inside MAX_ATTEMPTS
REVOKED = range(100, 110)
# 0.3 ** 12: a stage exhausting its attempts would take a one-in-six-million streak.
MAX_ATTEMPTS = 12
# A rejected key must end its job about as fast as a healthy one runs.
FAIL_FAST_S = 2.0


def run() -> list[Row]:
    rows = [
        Row("3a vendors fail 30 % of calls"),
        Row("3b vendor answers 401"),
        Row("3c vendor fails 6x in a row"),
    ]
    fakes = ChaosFakes(failure_rate=0.3)
    with ChaosStack(
        "flaky",
        fakes,
        timeout_s=2.0,  # a hung call costs 2 s, not the fake's 30
        retries={"max_attempts": MAX_ATTEMPTS, "base_delay_s": 0.2, "max_delay_s": 1.0},
        # A retry that never comes shows as a re-drive (a problem here) within seconds.
        sweeper={"interval_s": 1.0, "grace_s": 2.0, "queue_wait_s": 15.0, "max_redrives": 1},
    ) as stack:
        _flaky(rows[0], stack)
        # The rest runs alone on the stack, with scripted faults only.
        fakes.anthropic.failure_rate = fakes.openai.failure_rate = 0.0
        _streak(rows[2], stack, fakes)
        _revoked(rows[1], stack, fakes)
        stack.keep = stack.keep or not all(row.ok for row in rows)
    return rows


def _flaky(row: Row, stack: ChaosStack) -> None:
    entries = stack.submit_batch(range(FLAKY_JOBS))
    times = stack.wait_terminal(entries, timeout_s=150)
    jobs = tally(row, stack, entries)
    expect_status(row, jobs, "succeeded")
    _no_redrives(row, jobs.values())
    attempts = sum(r.attempts for j in jobs.values() for r in j.stages.values())
    row.notes.append(
        f"{attempts} stage attempts for {3 * len(jobs)} stages; "
        f"time to terminal {seconds(times.values())}"
    )


def _streak(row: Row, stack: ChaosStack, fakes: ChaosFakes) -> None:
    fakes.anthropic.fail_next(*[fakes.anthropic.error(529).on("/v1/messages")] * STREAK)
    entries = stack.submit_batch([STREAK_JOB])
    times = stack.wait_terminal(entries, timeout_s=30)
    jobs = tally(row, stack, entries)
    expect_status(row, jobs, "succeeded")
    _no_redrives(row, jobs.values())
    for job in jobs.values():
        got = job.stages[Stage.LLM].attempts
        if got != STREAK + 1:
            row.problems.append(f"{job.id}: llm attempts {got}, expected {STREAK + 1}")
    row.notes.append(f"time to terminal {seconds(times.values())}")


def _revoked(row: Row, stack: ChaosStack, fakes: ChaosFakes) -> None:
    fakes.anthropic.api_key = "sk-ant-revoked"  # every request now answers 401
    entries = stack.submit_batch(REVOKED)
    times = stack.wait_terminal(entries, timeout_s=60)
    jobs = tally(row, stack, entries)
    expect_status(row, jobs, "failed", "llm.auth_failed")
    spans = []
    for entry in entries:
        found = jobs.get(entry.job_id)
        if found is None:
            continue
        llm = found.stages[Stage.LLM]
        calls = fakes.anthropic.requests_of(entry.n)
        if llm.attempts != 1 or calls != 1:
            row.problems.append(
                f"{found.id}: llm attempts {llm.attempts}, requests to the vendor {calls}"
            )
        if llm.started_at and llm.finished_at:
            spans.append((llm.finished_at - llm.started_at).total_seconds())
    if spans and max(spans) > FAIL_FAST_S:
        row.problems.append(f"an llm stage took {max(spans):.1f} s to give up")
    row.notes.append(
        f"llm stage start to failure {seconds(spans)}; "
        f"submission to failure {seconds(times.values())}"
    )


def _no_redrives(row: Row, jobs: Iterable[Job]) -> None:
    """Nothing here hangs or dies: a re-drive means a retry was dropped on the way."""
    for job in jobs:
        if job.redrives:
            stages = {s.value: (r.status.value, r.attempts) for s, r in job.stages.items()}
            row.problems.append(f"{job.id} needed the sweeper to finish (stages {stages})")
