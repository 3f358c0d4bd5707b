"""Sends a job's stage messages; only the job id travels, never code or data.

Each stage sends the next one itself once it has recorded its own result (see
``workers.stage``), rather than riding a Celery chain: a chain's continuation lives in one
particular message, and when duplicate deliveries are dropped the continuation must not be
dropped with them. Any delivery that completes a stage moves the job on.
"""

from __future__ import annotations

from celery import Celery

from shared.celery_app import TASK_NAMES
from shared.job_transitions import Decision
from shared.jobstore import JobStore, Then
from shared.models import STAGE_ORDER, Job, Stage
from shared.task_messages import TaskMessage, job_priority, stage_message


def stages_of(job: Job) -> list[Stage]:
    return [stage for stage in STAGE_ORDER if stage in job.options.stages]


def first_message(app: Celery, job: Job) -> TaskMessage:
    """The message that starts a new job: its first stage's."""
    return stage_message(app, stages_of(job)[0], job)


def create_and_queue(jobs: JobStore, app: Celery, job: Job) -> None:
    """Record a new job and queue its first stage in one Redis script call: a job is never
    recorded without its message, nor queued without its record."""
    jobs.create(job, first_message(app, job))


def enqueue(app: Celery, job: Job, start: Stage | None = None) -> str:
    """Queue the job's first stage (or ``start``), at the job's priority (kombu puts it on
    that priority's list); later stages follow on their own."""
    stage = start or stages_of(job)[0]
    result = app.send_task(
        TASK_NAMES[stage], args=[job.id], queue=stage.value, priority=job_priority(job)
    )
    return str(result.id)


def resumed_message(app: Celery, resumed: Decision[Stage | None]) -> Then:
    """The message of the stage a ``resume`` queued again, for the write that queues the
    job (``JobStore.update``'s ``then``)."""

    def message(job: Job) -> TaskMessage | None:
        stage = resumed.result
        return None if stage is None else stage_message(app, stage, job)

    return message


def next_stage(job: Job, stage: Stage) -> Stage | None:
    stages = stages_of(job)
    position = stages.index(stage)
    return stages[position + 1] if position + 1 < len(stages) else None
