"""Builds the Celery chain of a job's stages; only names are sent, never code or data."""

from __future__ import annotations

from celery import Celery, chain

from shared.celery_app import TASK_NAMES
from shared.models import STAGE_ORDER, Job


def enqueue(app: Celery, job: Job) -> str:
    """Send the job's chain; the message carries nothing but the job id."""
    stages = [stage for stage in STAGE_ORDER if stage in job.options.stages]
    signatures = [
        app.signature(TASK_NAMES[stage], args=[job.id], immutable=True) for stage in stages
    ]
    result = chain(*signatures).apply_async()
    return str(result.id)
