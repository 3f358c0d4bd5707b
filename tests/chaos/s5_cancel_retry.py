"""5. Cancel jobs mid-flight, and retry jobs that failed at their last stage.

5a: of 15 jobs, 5 are canceled at once (queued or transcribing), 5 while Claude is
answering (a slow vendor here), 5 are left alone. A canceled job must end canceled, no stage
after the one running at the cancel may call its vendor, the running stage's output is
discarded, and no stage of a canceled job is left marked running. 5b: 10 jobs whose speech
call is refused (401) fail with ``tts.auth_failed``; ``POST /retry`` resumes them at tts, and
the vendors' logs prove stt and llm did not run again.
"""

from __future__ import annotations

import time

from shared.models import Stage, StageStatus
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack, Submitted
from tests.chaos.tally import Row, expect_status, seconds, tally

AT_ONCE = range(0, 5)
WHILE_RESPONDING = range(5, 10)
UNTOUCHED = range(10, 15)
TTS_REFUSED = range(100, 110)


def run() -> list[Row]:
    cancel, retry = Row("5a cancel mid-flight"), Row("5b retry after tts 401")
    fakes = ChaosFakes()
    fakes.anthropic.latency_s = 2.0  # a window in which the job is "responding"
    with ChaosStack("cancel", fakes) as stack:
        _cancel(cancel, stack)
        fakes.anthropic.latency_s = 0.0
        _retry(retry, stack, fakes)
        stack.keep = stack.keep or not (cancel.ok and retry.ok)
    return [cancel, retry]


def _cancel(row: Row, stack: ChaosStack) -> None:
    entries = stack.submit_batch([*AT_ONCE, *WHILE_RESPONDING, *UNTOUCHED])
    by_n = {e.n: e for e in entries}
    for n in AT_ONCE:
        _cancel_job(row, stack, by_n[n])
    waiting = {n: by_n[n] for n in WHILE_RESPONDING}

    def cancel_responding() -> None:
        for n, entry in list(waiting.items()):
            job = stack.job(entry.job_id)
            if job is not None and job.status.value == "responding":
                _cancel_job(row, stack, entry)
                del waiting[n]

    times = stack.wait_terminal(entries, timeout_s=60, until=cancel_responding)
    if waiting:
        row.problems.append(f"jobs {sorted(waiting)} were never seen responding to cancel")
    # A canceled job ends at once, but the stage it was running still finishes (and then
    # discards its output): let those calls land before counting.
    time.sleep(stack.fakes.anthropic.latency_s + 1.0)
    jobs = tally(row, stack, entries)
    canceled = {by_n[n].job_id: jobs[by_n[n].job_id] for n in [*AT_ONCE, *WHILE_RESPONDING]}
    expect_status(row, canceled, "canceled")
    expect_status(row, {by_n[n].job_id: jobs[by_n[n].job_id] for n in UNTOUCHED}, "succeeded")
    for n in [*AT_ONCE, *WHILE_RESPONDING]:
        job = jobs.get(by_n[n].job_id)
        if job is None:
            continue
        # Stages after the cancel are skipped (or were never reached); none may call out.
        for stage, rec in job.stages.items():
            calls = stack.fakes.served.get(stage.value, n)
            if rec.status == StageStatus.SKIPPED and calls:
                row.problems.append(f"{job.id}: {stage.value} ran {calls}x after the cancel")
        if n in WHILE_RESPONDING and stack.fakes.served.get(Stage.TTS.value, n):
            row.problems.append(f"{job.id}: tts ran although the job was canceled during llm")
    # The stage running at the cancel is marked canceled with its job, not left running.
    records = [rec for job in canceled.values() for rec in job.stages.values()]
    running = sum(rec.status == StageStatus.RUNNING for rec in records)
    if running:
        row.problems.append(f"{running} stages still marked running on canceled jobs")
    marked = sum(rec.status == StageStatus.CANCELED for rec in records)
    row.notes.append(
        f"time to terminal {seconds(times.values())}; stages marked canceled: {marked}"
    )


def _cancel_job(row: Row, stack: ChaosStack, entry: Submitted) -> None:
    response = stack.http.post(f"/v1/jobs/{entry.job_id}/cancel")
    if response.status_code != 200:
        row.problems.append(f"cancel of {entry.job_id} answered {response.status_code}")


def _retry(row: Row, stack: ChaosStack, fakes: ChaosFakes) -> None:
    refusal = fakes.openai.error(401).on("/v1/audio/speech")
    fakes.openai.fail_next(*[refusal] * len(TTS_REFUSED))
    entries = stack.submit_batch(TTS_REFUSED)
    stack.wait_terminal(entries, timeout_s=60)
    for entry in entries:
        job = stack.job(entry.job_id)
        code = job.error.code if job and job.error else None
        if code != "tts.auth_failed":
            row.problems.append(f"{entry.job_id} ended {code}, expected tts.auth_failed first")
        response = stack.http.post(f"/v1/jobs/{entry.job_id}/retry")
        if response.status_code != 202:
            row.problems.append(f"retry of {entry.job_id} answered {response.status_code}")
    times = stack.wait_terminal(entries, timeout_s=60)
    jobs = tally(row, stack, entries)
    expect_status(row, jobs, "succeeded")
    for entry in entries:
        job = jobs.get(entry.job_id)
        if job is None:
            continue
        attempts = {s.value: r.attempts for s, r in job.stages.items()}
        if attempts != {"stt": 1, "llm": 1, "tts": 2}:
            row.problems.append(f"{job.id}: attempts {attempts}, expected stt 1, llm 1, tts 2")
    row.notes.append(f"retry to terminal {seconds(times.values())}")
