"""When an unfinished job counts as stuck.

A running stage has its hard time limit plus a grace period; a stage waiting in a queue
(or for a retry) has the queue allowance, which must cover the deepest backlog expected.
Past that, the sweeper re-drives the job or fails it.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.job_transitions import first_unfinished
from shared.models import Job, StageStatus
from shared.settings import Settings


def deadline_of(job: Job, settings: Settings) -> float | None:
    """Unix time after which ``job`` is stuck, or None when it has ended."""
    if job.status.terminal:
        return None
    sweeper = settings.sweeper
    stage = first_unfinished(job)
    if stage is not None:
        record = job.stages[stage]
        if record.status == StageStatus.RUNNING and record.started_at:
            limit: int = getattr(settings.workers, stage.value).time_limit_s
            return record.started_at.timestamp() + limit + sweeper.grace_s
        if record.status == StageStatus.RETRYING and record.next_attempt_at:
            return record.next_attempt_at.timestamp() + sweeper.queue_wait_s
    return job.updated_at.timestamp() + sweeper.queue_wait_s


def deadline_function(settings: Settings) -> Callable[[Job], float | None]:
    return lambda job: deadline_of(job, settings)
