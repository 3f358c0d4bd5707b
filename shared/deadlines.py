"""When an unfinished job counts as stuck.

A running stage has its hard time limit plus a grace period; a stage waiting in a queue
(or for a retry) has the queue allowance, which must cover the deepest backlog expected.
Past that, the sweeper re-drives the job or fails it.

A running stage that names its worker is looked at much earlier, ``orphan_after_s`` after it
started: if that worker has died, waiting for the hard limit would leave the job stuck for
as long (and the broker would hand its message back only after its visibility timeout).
The sweeper then asks whether the worker still lives (``shared.orphans``) and either
re-drives the job or looks again later; the hard limit stays the latest it waits.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.job_transitions import first_unfinished
from shared.models import Job, Stage, StageRecord, StageStatus
from shared.settings import Settings


def hard_deadline(stage: Stage, record: StageRecord, settings: Settings) -> float | None:
    """When a stage that is running counts as stuck whatever its worker: hung, or lost."""
    if record.status != StageStatus.RUNNING or record.started_at is None:
        return None
    limit: int = getattr(settings.workers, stage.value).time_limit_s
    return record.started_at.timestamp() + limit + settings.sweeper.grace_s


def deadline_of(job: Job, settings: Settings) -> float | None:
    """Unix time after which ``job`` is stuck (or, for a running stage whose worker is
    known, when to ask whether that worker lives), or None when it has ended."""
    if job.status.terminal:
        return None
    sweeper = settings.sweeper
    stage = first_unfinished(job)
    if stage is not None:
        record = job.stages[stage]
        hard = hard_deadline(stage, record, settings)
        if hard is not None and record.started_at is not None:
            if record.worker:
                return min(record.started_at.timestamp() + sweeper.orphan_after_s, hard)
            return hard  # a record from before workers were named: the hard limit only
        if record.status == StageStatus.RETRYING and record.next_attempt_at:
            return record.next_attempt_at.timestamp() + sweeper.queue_wait_s
    return job.updated_at.timestamp() + sweeper.queue_wait_s


def deadline_function(settings: Settings) -> Callable[[Job], float | None]:
    return lambda job: deadline_of(job, settings)
