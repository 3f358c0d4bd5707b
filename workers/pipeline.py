"""Builds the Celery chain of a job's stages; only names are sent, never code or data."""

from __future__ import annotations

from celery import Celery, chain

from shared.celery_app import TASK_NAMES
from shared.models import STAGE_ORDER, Job, Stage


def enqueue(app: Celery, job: Job, start: Stage | None = None) -> str:
    """Send the job's chain (from ``start`` on); the message carries only the job id."""
    stages = [stage for stage in STAGE_ORDER if stage in job.options.stages]
    if start is not None:
        stages = stages[stages.index(start) :]
    signatures = [
        app.signature(TASK_NAMES[stage], args=[job.id], immutable=True) for stage in stages
    ]
    result = chain(*signatures).apply_async()
    return str(result.id)
