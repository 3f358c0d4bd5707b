"""1. kill -9 a worker process of each pool while it runs a task.

The process to kill is the one the worker reports running a task (``inspect().active()``
gives each task's ``worker_pid``): twice a child of the stt and tts pools, once the llm
worker, each while the job store shows that stage running.

stt and tts run prefork (2 children each): killing a child makes the master reject the task
(``task_reject_on_worker_lost``), so it is redelivered at once. llm runs threads: the master
*is* the pool, the supervisor restarts it, and its unacked messages would come back only
after the broker's visibility timeout (an hour), so the sweeper re-drives those jobs once
their running stage passes its hard limit plus grace: llm's limit is low here for that.
"""

from __future__ import annotations

import time
from collections import Counter

from shared.celery_app import create_celery
from shared.models import Stage, StageStatus
from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack
from tests.chaos.procs import busy_pids, children, kill9
from tests.chaos.tally import Row, expect_status, seconds, tally

JOBS = 50
KILLS = {"stt": 2, "llm": 1, "tts": 2}
# Only a killed prefork child leads to a delivery that finds its stage still running; the
# threads pool's jobs come back through the sweeper, which resets the stage first. So an
# llm crash count here would mean two deliveries ran at once, not a kill.
PREFORK = frozenset({"stt", "tts"})
MIN_GAP_S = 2.0


def run() -> Row:
    row = Row("1 kill -9 workers mid-task")
    fakes = ChaosFakes()
    # Slow enough vendors that a kill lands inside a task, not between two.
    fakes.openai.latency_s = 0.4
    fakes.anthropic.latency_s = 0.5
    with ChaosStack(
        "kill",
        fakes,
        workers={
            "stt": _pool("prefork", 2, limit_s=20),
            "llm": _pool("threads", 64, limit_s=6),
            "tts": _pool("prefork", 2, limit_s=20),
            # A job may lose a delivery to each of the kills aimed at its stage; more than
            # the default 3 would fail it as poison, which is not what this scenario tests.
            "max_crashes": 5,
        },
        sweeper={"interval_s": 1.0, "grace_s": 2.0, "queue_wait_s": 60.0, "max_redrives": 2},
    ) as stack:
        entries = stack.submit_batch(range(JOBS))
        killed: Counter[str] = Counter()
        last: dict[str, float] = {}
        app = create_celery(stack.settings)

        def killer() -> None:
            running = _running_stages(stack, [e.job_id for e in entries])
            for stage, wanted in KILLS.items():
                if killed[stage] >= wanted or not running[stage]:
                    continue
                if time.monotonic() - last.get(stage, 0.0) < MIN_GAP_S:
                    continue
                # Prefork: a child running a task (its master survives and requeues it).
                # Threads: the worker process itself, its whole pool with it. Only ever a
                # process of this stack's worker: its master or one of the master's children.
                master = stack.stack.child(f"worker-{stage}").process
                ours = {master.pid, *children(master.pid)} if master else set()
                pids = [pid for pid in busy_pids(app, stage) if pid in ours]
                if pids and kill9(pids[0]):
                    killed[stage] += 1
                    last[stage] = time.monotonic()

        try:
            times = stack.wait_terminal(entries, timeout_s=150, until=killer)
        finally:
            app.close()
        jobs = tally(row, stack, entries, crashes_in=PREFORK, redrives=True)
        expect_status(row, jobs, "succeeded")
        for stage, wanted in KILLS.items():
            if killed[stage] < wanted:
                row.problems.append(f"only {killed[stage]} of {wanted} kills of {stage} made")
        crashes = sum(r.crashes for j in jobs.values() for r in j.stages.values())
        redrives = sum(j.redrives for j in jobs.values())
        # Otherwise every kill hit an idle process and the scenario proved nothing.
        for stage in PREFORK:
            if not any(j.stages[Stage(stage)].crashes for j in jobs.values()):
                row.problems.append(f"no kill of the {stage} pool interrupted a task")
        if not redrives:
            row.problems.append("the llm kill interrupted no task (nothing was re-driven)")
        row.notes.append(
            f"kills {dict(killed)}; redelivered after a crash {crashes}, re-driven by the "
            f"sweeper {redrives}; time to terminal {seconds(times.values())}"
        )
        stack.keep = stack.keep or not row.ok
    return row


def _pool(pool: str, concurrency: int, *, limit_s: int) -> dict[str, object]:
    return {
        "pool": pool,
        "concurrency": concurrency,
        "soft_time_limit_s": limit_s - 1,
        "time_limit_s": limit_s,
    }


def _running_stages(stack: ChaosStack, job_ids: list[str]) -> Counter[str]:
    running: Counter[str] = Counter()
    for job_id in job_ids:
        job = stack.job(job_id)
        if job is None:
            continue
        for stage in Stage:
            rec = job.stages.get(stage)
            if rec is not None and rec.status == StageStatus.RUNNING:
                running[stage.value] += 1
    return running
