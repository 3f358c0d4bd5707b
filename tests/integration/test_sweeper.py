"""The sweeper ends jobs stuck past their deadline: queued again once, then failed."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.batch_keys import EXPANDING
from shared.batches import Batch, batch_job_id
from shared.batchstore import BatchStore
from shared.celery_app import create_celery
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.models import Job, JobOptions, JobStatus, Stage, StageStatus, utcnow
from shared.pool_liveness import PoolLiveness
from shared.queue_depth import priority_list
from shared.redis_keys import connect
from shared.settings import Settings
from shared.task_messages import BATCH_PRIORITY
from tests.conftest import ValkeyProcess
from tests.integration.test_jobstore import make_job
from workers.sweeper import Sweeper

pytestmark = pytest.mark.integration


def _settings(valkey: ValkeyProcess) -> Settings:
    return Settings(
        broker={"url": valkey.url}, sweeper={"grace_s": 1, "queue_wait_s": 60, "max_redrives": 1}
    )


def _stuck_running_job(store: JobStore, settings: Settings, job: Job | None = None) -> str:
    job = job or make_job()
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


SILENCE_S = 30.0
Counts = dict[str, int]


def _running_on(store: JobStore, worker: str, started: float) -> str:
    job = make_job()
    store.create(job)

    def run(j: Job) -> None:
        record = j.stages[Stage.STT]
        record.status, record.task_id, record.worker = StageStatus.RUNNING, "t-1", worker
        record.started_at = datetime.fromtimestamp(started, UTC)
        j.status = JobStatus.TRANSCRIBING

    store.update(job.id, run)
    return job.id


def _orphan_settings(valkey: ValkeyProcess) -> Settings:
    return Settings(broker={"url": valkey.url}, sweeper={"orphan_after_s": SILENCE_S})


def test_a_stage_whose_worker_still_beats_is_looked_at_again_later_and_not_written(
    valkey: ValkeyProcess,
) -> None:
    settings = _orphan_settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    pools = PoolLiveness(connect(valkey.url))
    t0 = time.time()
    job_id = _running_on(store, "stt@a", t0)
    stored = store.redis.get(f"vp:job:{job_id}")
    sweeper = Sweeper(settings, create_celery(settings))

    looks = []
    for now in (t0 + SILENCE_S + 1, t0 + 2 * SILENCE_S + 2):
        pools.beat("stt@a", ["stt"], now=now - 1, started=t0 - 10)
        looks.append(sweeper.sweep(now=now))
        looks.append(store.overdue(now))

    assert looks == [{"redriven": 0, "failed": 0, "purged": 0, "replanned": 0}, []] * 2
    assert store.redis.get(f"vp:job:{job_id}") == stored, (
        "the running stage's record is as its start wrote it"
    )
    assert store.overdue(t0 + 3 * SILENCE_S + 1) == [job_id]


def test_a_stage_whose_worker_fell_silent_is_queued_again_once_others_are_heard(
    valkey: ValkeyProcess,
) -> None:
    settings = _orphan_settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    pools = PoolLiveness(connect(valkey.url))
    t0 = time.time()
    job_id = _running_on(store, "stt@a", t0)
    pools.beat("stt@a", ["stt"], now=t0 + 1, started=t0 - 10)  # then killed, with its children
    sweeper = Sweeper(settings, create_celery(settings))
    passes = []
    for now in (t0 + 2, t0 + SILENCE_S + 1, t0 + SILENCE_S + 2):
        pools.beat("llm@b", ["llm"], now=now, started=t0 - 10)
        passes.append(sweeper.sweep(now=now)["redriven"])

    assert passes == [0, 0, 1]  # the first look at t0 + 31 s: silent only 30 s since t0 + 1
    job = store.get(job_id)
    assert (job.redrives, job.stages[Stage.STT].status) == (1, StageStatus.PENDING)
    assert store.redis.llen("stt") == 1


def test_a_look_again_is_not_noted_over_a_job_written_meanwhile(valkey: ValkeyProcess) -> None:
    settings = _orphan_settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    job_id = _running_on(store, "stt@a", time.time())
    read = store.update_versioned(job_id, lambda _: False)
    store.update(job_id, lambda j: setattr(j.stages[Stage.STT], "status", StageStatus.SUCCEEDED))
    due = store.redis.zscore("vp:deadlines", job_id)

    assert store.look_again(read, 1.0) is False
    assert store.redis.zscore("vp:deadlines", job_id) == due


def test_a_re_drive_queues_its_stage_in_the_same_write_that_marks_it_pending(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The broker gone between the two (or the sweeper killed there): written first and sent
    # after, the stage stayed pending with no message, its one re-drive spent, until the
    # queue allowance (6 h) ran out and the sweeper failed it with a timeout.
    settings = _settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    sweeper = Sweeper(settings, create_celery(settings))
    job_id = _stuck_running_job(store, settings)

    def gone(*_: object, **__: object) -> None:
        raise ConnectionError("the broker went away")

    monkeypatch.setattr(sweeper.app, "send_task", gone)

    assert sweeper.sweep()["redriven"] == 1
    assert store.redis.llen("stt") == 1
    assert store.get(job_id).stages[Stage.STT].status == StageStatus.PENDING


def test_a_batch_job_s_re_driven_stage_goes_on_its_batch_priority_list(
    valkey: ValkeyProcess,
) -> None:
    # Re-driven onto the queue's own list, a batch job would jump every single job waiting.
    settings = _settings(valkey)
    store = JobStore.from_url(valkey.url, deadline_function(settings))
    sweeper = Sweeper(settings, create_celery(settings))
    batch = Batch(tenant="default", source="manifest", options=JobOptions())
    BatchStore(store.redis).create(batch, [])
    job = make_job().model_copy(
        update={"id": batch_job_id(batch.id, 0), "batch_id": batch.id, "batch_index": 0}
    )
    _stuck_running_job(store, settings, job)

    assert sweeper.sweep()["redriven"] == 1
    assert store.redis.llen("stt") == 0
    assert store.redis.llen(priority_list("stt", BATCH_PRIORITY)) == 1


def test_two_sweepers_passing_at_once_plan_a_stalled_batch_once(valkey: ValkeyProcess) -> None:
    # README: a second sweeper is harmless. Both read the stalled expansions before either
    # marked them, and each queued its own plan (13 of 30 rounds with the read-then-mark).
    settings = Settings(broker={"url": valkey.url}, batches={"stalled_after_s": 60})
    sweepers = [Sweeper(settings, create_celery(settings)) for _ in range(2)]
    redis_client = connect(valkey.url)
    rounds, stalled = 30, [f"batch_{i}" for i in range(4)]
    replanned = 0
    for _ in range(rounds):
        redis_client.zadd(EXPANDING, dict.fromkeys(stalled, time.time() - 3600))
        together = threading.Barrier(2)
        counts: list[Counts] = []

        def sweep(sweeper: Sweeper, together: threading.Barrier, counts: list[Counts]) -> None:
            together.wait()
            counts.append(sweeper.sweep())

        args = [(s, together, counts) for s in sweepers]
        threads = [threading.Thread(target=sweep, args=a) for a in args]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        replanned += sum(c["replanned"] for c in counts)

    plans = redis_client.llen("ingest")
    assert (plans, replanned) == (rounds * len(stalled), rounds * len(stalled))


def test_a_job_another_sweeper_purged_meanwhile_is_not_counted_again(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(valkey).model_copy(update={"data_dir": tmp_path})
    first, second = (Sweeper(settings, create_celery(settings)) for _ in range(2))
    job = make_job()
    first.jobs.create(job)
    # Both read the retention index before either purged: the second's list still has it.
    monkeypatch.setattr(first.jobs, "purge_due", lambda now: [job.id])
    monkeypatch.setattr(second.jobs, "purge_due", lambda now: [job.id])

    counted = [first._purge(time.time()), second._purge(time.time())]

    assert counted == [1, 0]
    assert first.jobs.get(job.id).objects_deleted_at is not None
