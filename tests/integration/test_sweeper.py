"""The sweeper ends jobs stuck past their deadline: queued again once, then failed."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from shared.celery_app import create_celery
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.models import JobStatus, Stage, StageStatus, utcnow
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.integration.test_jobstore import make_job
from workers.sweeper import Sweeper

pytestmark = pytest.mark.integration


def _settings(valkey: ValkeyProcess) -> Settings:
    return Settings(
        broker={"url": valkey.url}, sweeper={"grace_s": 1, "queue_wait_s": 60, "max_redrives": 1}
    )


def _stuck_running_job(store: JobStore, settings: Settings) -> str:
    job = make_job()
    store.create(job)

    def hang(j: object) -> None:
        record = j.stages[Stage.STT]  # type: ignore[attr-defined]
        record.status = StageStatus.RUNNING
        record.started_at = utcnow() - timedelta(seconds=settings.workers.stt.time_limit_s + 5)
        j.status = JobStatus.TRANSCRIBING  # type: ignore[attr-defined]

    store.update(job.id, hang)
    return job.id


def test_a_stage_running_past_its_hard_limit_is_queued_again_then_failed(
    valkey: ValkeyProcess,
) -> None:
    settings = _settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    sweeper = Sweeper(settings, create_celery(settings))
    job_id = _stuck_running_job(store, settings)

    first = sweeper.sweep()
    queued = store.redis.llen("stt")
    # The re-driven stage starts "running" again and hangs again.
    store.update(job_id, lambda j: setattr(j.stages[Stage.STT], "status", StageStatus.RUNNING))
    store.update(
        job_id,
        lambda j: setattr(j.stages[Stage.STT], "started_at", utcnow() - timedelta(seconds=10_000)),
    )
    second = sweeper.sweep()

    assert first == {"redriven": 1, "failed": 0, "purged": 0, "replanned": 0}
    assert queued == 1, "the job's chain was sent again from the stuck stage"
    assert second == {"redriven": 0, "failed": 1, "purged": 0, "replanned": 0}
    job = store.get(job_id)
    assert job.status == JobStatus.FAILED
    assert job.error is not None
    assert job.error.code == "stt.timeout"
    assert store.overdue(time.time() + 10**9) == [], "an ended job leaves the deadline index"


def test_jobs_within_their_deadline_are_left_alone(valkey: ValkeyProcess) -> None:
    settings = _settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    job = make_job()
    store.create(job)

    counts = Sweeper(settings, create_celery(settings)).sweep()

    assert counts == {"redriven": 0, "failed": 0, "purged": 0, "replanned": 0}
    assert store.get(job.id).status == JobStatus.QUEUED
    assert store.overdue(time.time() + 61) == [job.id]
