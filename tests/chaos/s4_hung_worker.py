"""4. A worker hangs on a vendor that never answers; the sweeper must end the job.

The llm pool is threads (Celery enforces no time limit there) and the client timeout is
ten minutes, so nothing but the sweeper can notice. Half the jobs hang once: re-driven,
their second call is answered and they succeed. The other half hang on every call:
re-driven once (``max_redrives``), then failed with ``llm.timeout``. Either way the job must
end within its deadline: (hard limit + grace) per delivery, plus a sweep interval each.
At the end the hung calls come back late, as a stalled upstream finally does (half answered,
half failing), and row 4b checks that those stale runs change nothing: no record of an ended
job rewritten, no output written after the job ended, no orphan output.
"""

from __future__ import annotations

import time
from typing import Any

from tests.chaos.fakes import ChaosFakes
from tests.chaos.harness import ChaosStack
from tests.chaos.tally import Row, expect_status, seconds, tally

ONCE = range(0, 5)
ALWAYS = range(5, 10)
LIMIT_S, GRACE_S, INTERVAL_S, REDRIVES = 5, 1.0, 1.0, 1
# stt and tts take well under a second each here; the rest is the sweeper's doing.
SLACK_S = 4.0


def run() -> list[Row]:
    ended, stale = Row("4a worker hangs: sweeper ends jobs"), Row("4b hung calls answer late")
    fakes = ChaosFakes()
    fakes.anthropic.hang = {n: 1 for n in ONCE} | {n: REDRIVES + 1 for n in ALWAYS}
    # Released late, half the hung calls are answered and half fail, in both groups.
    fakes.anthropic.late_error = {n for n in [*ONCE, *ALWAYS] if n % 2}
    with ChaosStack(
        "hang",
        fakes,
        timeout_s=600.0,
        workers={
            "llm": {"pool": "threads", "soft_time_limit_s": LIMIT_S - 1, "time_limit_s": LIMIT_S}
        },
        sweeper={
            "interval_s": INTERVAL_S,
            "grace_s": GRACE_S,
            "queue_wait_s": 60.0,
            "max_redrives": REDRIVES,
        },
    ) as stack:
        entries = stack.submit_batch([*ONCE, *ALWAYS])
        bound = (REDRIVES + 1) * (LIMIT_S + GRACE_S + INTERVAL_S) + SLACK_S
        times = stack.wait_terminal(entries, timeout_s=bound + 30)
        once = [e.job_id for e in entries if e.n in ONCE]
        always = [e.job_id for e in entries if e.n in ALWAYS]
        jobs = tally(ended, stack, entries, redrives=True)
        expect_status(ended, {i: jobs[i] for i in once if i in jobs}, "succeeded")
        expect_status(ended, {i: jobs[i] for i in always if i in jobs}, "failed", "llm.timeout")
        late = [t for t in times.values() if t > bound]
        if late:
            ended.problems.append(f"{len(late)} jobs ended after their {bound:.0f} s deadline")
        ended.notes.append(
            f"time to terminal: hang once {seconds(times[i] for i in once if i in times)}, "
            f"hang always {seconds(times[i] for i in always if i in times)} "
            f"(deadline {bound:.0f} s)"
        )

        # The stalled vendor now answers every hung call; give those stale runs time to act.
        fakes.anthropic.release_hung()
        time.sleep(3)
        after = tally(stale, stack, entries, redrives=True)
        touched = billed = 0
        for job_id, job in after.items():
            if job_id not in jobs:
                continue  # had not ended before the release: counted as lost in 4a
            before, now = jobs[job_id].model_dump(), job.model_dump()
            changed = _changes(before, now)
            touched += "updated_at" in changed
            # A late answer the vendor billed is charged to the job
            # (workers.stage_recording.charge_discarded): its tokens appended to the stage's
            # `billed`, and nothing else of the record.
            charged = [c for c in changed if _only_appended(before, now, c)]
            billed += len(charged)
            changed = [c for c in changed if c != "updated_at" and c not in charged]
            if changed:
                stale.problems.append(f"{job_id}: a stale run changed the ended job's {changed}")
        stale.notes.append(
            f"ended records rewritten (updated_at only or more): {touched}, "
            f"of which late answers' billed tokens charged: {billed}"
        )
        stack.keep = stack.keep or not (ended.ok and stale.ok)
    return [ended, stale]


def _changes(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Dotted names of the fields that differ."""
    found = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            found += _changes(a, b, f"{path}{key}.")
        elif a != b:
            found.append(f"{path}{key}")
    return found


def _only_appended(old: dict[str, Any], new: dict[str, Any], field: str) -> bool:
    """Whether ``field`` is a stage's ``billed`` list that only grew at its end."""
    parts = field.split(".")
    if len(parts) != 3 or parts[0] != "stages" or parts[2] != "billed":
        return False
    was = old["stages"][parts[1]]["billed"]
    now = new["stages"][parts[1]]["billed"]
    return bool(len(now) > len(was) and now[: len(was)] == was)
