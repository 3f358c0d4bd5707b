"""Whether the worker running a stage is gone: the sweeper's early look at a running stage.

A stage names the worker that runs it (its Celery node name) and when it started; workers
note their incarnations alive every ``BEAT_S`` (``shared.pool_liveness``). The run's worker is
the incarnation of that name that started last before the stage did, and it is gone when:

- the same name started again since (a killed worker restarted by its supervisor, or its
  container restarted): two incarnations never live under one name;
- it is no longer noted at all: pruned long after its last beat, or never noted;
- it has been silent for ``silence_s`` while the sweeper heard other workers. A broker
  outage silences everyone, and after it workers reconnect one by one: a worker's silence
  counts only from when the sweeper heard workers again (``heard_since``). A worker that
  beats on while its tasks run (a prefork child or a thread does the work; the worker's
  event loop beats) is never gone, however long its stage takes.

Pure functions: the sweeper reads the incarnations once a pass and decides here.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.deadlines import hard_deadline
from shared.job_transitions import first_unfinished
from shared.models import Job
from shared.pool_liveness import LIVE_S, Seen
from shared.settings import Settings


def runs_it(seen: Sequence[Seen], worker: str, since: float) -> tuple[Seen | None, bool]:
    """The incarnation of ``worker`` that started the stage at ``since`` (None if none is
    noted), and whether a later incarnation of the same name started since."""
    mine = [s for s in seen if s.incarnation.name == worker]
    before = [s for s in mine if s.incarnation.started <= since]
    owner = max(before, key=lambda s: s.incarnation.started, default=None)
    restarted = any(s.incarnation.started > since for s in mine)
    return owner, restarted


def heard_since(seen: Sequence[Seen], now: float, before: float | None) -> float | None:
    """Since when the sweeper has heard workers without a break (``before``: what its last
    pass said, None after a pass that failed); None when nobody beats now, as /readyz
    would count nobody live."""
    if not any(s.at >= now - LIVE_S for s in seen):
        return None
    return now if before is None else before


def alive_until(
    seen: Sequence[Seen],
    worker: str,
    since: float,
    silence_s: float,
    now: float,
    heard: float | None,
) -> float | None:
    """Until when (the sweeper's clock) the worker running a stage started at ``since``
    counts as alive on what is ``seen`` and ``heard`` (``heard_since``); None when it is
    gone."""
    owner, restarted = runs_it(seen, worker, since)
    if owner is None or restarted:
        return None
    if heard is None:
        return now + silence_s  # nobody is heard: a silence proves nothing
    left = silence_s - (now - max(owner.at, heard))
    return now + left if left > 0 else None


def look_again_at(
    job: Job, settings: Settings, now: float, seen: Sequence[Seen], heard: float | None
) -> float | None:
    """For ``job``, past its deadline: when to look again, because the worker running its
    stage still lives (never past the stage's hard deadline); None when the job is stuck,
    to be re-driven or failed as before."""
    stage = first_unfinished(job)
    if stage is None:
        return None
    record = job.stages[stage]
    hard = hard_deadline(stage, record, settings)
    if hard is None or record.started_at is None or not record.worker or now >= hard:
        return None
    since = record.started_at.timestamp()
    silence_s = settings.sweeper.orphan_after_s
    until = alive_until(seen, record.worker, since, silence_s, now, heard)
    return None if until is None else min(until, hard)
