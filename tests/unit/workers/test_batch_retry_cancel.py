"""A batch retry racing a cancel of the same batch, against a real Valkey: a canceled batch
never runs a job again, a cancel after an accepted retry cancels what the retry resumed, and
the batch ends once, its counters adding up, with one event saying how it ended."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.batch_keys import batch_key
from shared.batches import Batch, BatchItem, batch_job_id
from shared.celery_app import create_celery
from shared.errors import BatchCanceled
from shared.job_transitions import redrive, resume, start
from shared.models import ErrorInfo, Job, JobOptions, JobStatus, Stage, StageStatus, utcnow
from shared.queue_depth import priority_lists
from shared.webhook_models import delivery_key
from tests.factories import wav_input_meta
from workers import ingest
from workers.context import WorkerContext
from workers.ingest import cancel_unfinished, resume_failed


def _queued(ctx: WorkerContext) -> int:
    """Stage messages waiting in the stages' queues, on any of their priority lists (a resumed
    job's goes with its write)."""
    lists = [name for stage in Stage for name in priority_lists(stage.value)]
    return sum(int(ctx.jobs.redis.llen(name)) for name in lists)


def _ended(job: Job, status: JobStatus) -> bool:
    job.status = status
    job.finished_at = utcnow()
    if status == JobStatus.FAILED:
        job.failed_stage = Stage.STT
        job.stages[Stage.STT].status = StageStatus.FAILED
        job.error = ErrorInfo(code="stt.provider_unavailable", message="The vendor was down.")
    else:
        job.stages[Stage.STT].status = StageStatus.SUCCEEDED
    return True


def completed_batch(ctx: WorkerContext, ends: list[JobStatus]) -> Batch:
    """A batch whose jobs ended as ``ends`` say (through updates, as stages end them), so it
    has completed and sent its batch.completed event."""
    options = JobOptions(stages=[Stage.STT], callback_url="https://hooks.example.com/vp")
    batch = Batch(source="manifest", options=options)
    ctx.batches.create(batch, [BatchItem(key=f"vm{i}.wav") for i in range(len(ends))])
    for index, status in enumerate(ends):
        job = Job(
            id=batch_job_id(batch.id, index),
            options=options,
            input=wav_input_meta(),
            batch_id=batch.id,
            batch_index=index,
        )
        ctx.jobs.create_batch_job(job)
        ctx.jobs.update(job.id, lambda j, s=status: _ended(j, s))  # type: ignore[misc]
    ctx.batches.chunk_done(batch.id, 0, 1)
    assert ctx.batches.get(batch.id).status == "completed"
    return batch


def batch_events(ctx: WorkerContext, batch_id: str) -> list[dict[str, Any]]:
    raws = [ctx.batches.redis.get(delivery_key(i)) for i in ctx.batches.delivery_ids(batch_id)]
    return [json.loads(raw)["data"] for raw in raws if raw is not None]


def assert_ended_adding_up(ctx: WorkerContext, batch_id: str, status: str) -> dict[str, int]:
    state = ctx.batches.get(batch_id)
    assert state.status == status
    counts = {s: state.count(f"status:{s}") for s in ("succeeded", "failed", "canceled")}
    assert sum(counts.values()) + state.count("rejected") == state.items
    assert sum(state.count(f"status:{s.value}") for s in JobStatus if not s.terminal) == 0
    return counts


def test_a_failed_job_of_a_canceled_batch_is_not_resumed_by_its_batchs_retry(
    ctx: WorkerContext,
) -> None:
    batch = completed_batch(ctx, [JobStatus.FAILED, JobStatus.FAILED])
    ctx.batches.redis.hset(batch_key(batch.id), "canceled", "1")  # canceled, by any route
    app = create_celery(ctx.settings)

    resumed = resume_failed(ctx, app, batch.id)

    assert resumed == 0
    assert _queued(ctx) == 0
    assert [j.status for j in ctx.jobs.get_many(ctx.jobs.all_ids())] == [JobStatus.FAILED] * 2


def test_a_job_of_a_canceled_batch_cannot_be_resumed_on_its_own_either(
    ctx: WorkerContext,
) -> None:
    batch = completed_batch(ctx, [JobStatus.FAILED, JobStatus.SUCCEEDED])
    token = "t1"
    assert ctx.batches.open_retry(batch.id, token) == 1
    assert ctx.batches.mark_canceled(batch.id)

    with pytest.raises(BatchCanceled):
        ctx.jobs.update(batch_job_id(batch.id, 0), resume)

    assert ctx.jobs.get(batch_job_id(batch.id, 0)).status == JobStatus.FAILED


def test_a_cancel_landing_while_the_retry_resumes_stops_it_and_cancels_what_it_resumed(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = completed_batch(ctx, [JobStatus.FAILED, JobStatus.FAILED, JobStatus.SUCCEEDED])
    assert ctx.batches.open_retry(batch.id, "t1") == 1
    app = create_celery(ctx.settings)
    update_kept = ingest._update_kept

    def resumed_then_canceled(*args: Any) -> Job | None:
        job = update_kept(*args)
        if _queued(ctx) == 1:  # POST .../cancel lands after the first job was resumed
            assert ctx.batches.mark_canceled(batch.id)
            cancel_unfinished(ctx, batch.id)
        return job

    monkeypatch.setattr(ingest, "_update_kept", resumed_then_canceled)

    resumed = resume_failed(ctx, app, batch.id)
    ctx.batches.retry_done(batch.id, "t1")

    assert resumed == 1
    jobs = ctx.jobs.get_many([batch_job_id(batch.id, i) for i in range(3)])
    assert [j.status for j in jobs if j] == [
        JobStatus.CANCELED,
        JobStatus.FAILED,
        JobStatus.SUCCEEDED,
    ]
    assert assert_ended_adding_up(ctx, batch.id, "canceled") == {
        "succeeded": 1,
        "failed": 1,
        "canceled": 1,
    }
    # One event when it first completed, one when it ended canceled: none in between.
    assert [e["status"] for e in batch_events(ctx, batch.id)] == ["completed", "canceled"]
    assert batch_events(ctx, batch.id)[-1]["canceled"] == 1


def test_a_cancel_after_an_accepted_retry_that_has_not_started_ends_the_batch_canceled_once(
    ctx: WorkerContext,
) -> None:
    batch = completed_batch(ctx, [JobStatus.FAILED, JobStatus.SUCCEEDED])
    assert ctx.batches.open_retry(batch.id, "t1") == 1
    assert ctx.batches.get(batch.id).status == "running"

    assert ctx.batches.mark_canceled(batch.id)
    cancel_unfinished(ctx, batch.id)
    app = create_celery(ctx.settings)
    resumed = resume_failed(ctx, app, batch.id)
    ctx.batches.retry_done(batch.id, "t1")

    assert resumed == 0
    assert _queued(ctx) == 0
    assert_ended_adding_up(ctx, batch.id, "canceled")
    assert [e["status"] for e in batch_events(ctx, batch.id)] == ["completed", "canceled"]
    assert ctx.batches.open_retry(batch.id, "t2") == -1


def test_a_retry_ends_the_batch_once_after_every_failed_job_was_resumed_and_ended(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = completed_batch(ctx, [JobStatus.FAILED, JobStatus.FAILED])
    assert ctx.batches.open_retry(batch.id, "t1") == 1
    app = create_celery(ctx.settings)
    update_kept = ingest._update_kept

    def fails_again_at_once(*args: Any) -> Job | None:
        job = update_kept(*args)
        if job is not None:  # a quick stt worker
            ctx.jobs.update(job.id, lambda j: _ended(j, JobStatus.FAILED))
        return job

    monkeypatch.setattr(ingest, "_update_kept", fails_again_at_once)

    assert resume_failed(ctx, app, batch.id) == 2
    assert ctx.batches.get(batch.id).status == "running"  # until the retry is through
    ctx.batches.retry_done(batch.id, "t1")

    assert assert_ended_adding_up(ctx, batch.id, "completed")["failed"] == 2
    assert [e["status"] for e in batch_events(ctx, batch.id)] == ["completed", "completed"]


def test_a_retry_that_resumes_nothing_leaves_the_batch_completed_without_a_second_event(
    ctx: WorkerContext,
) -> None:
    assert ctx.batches.open_retry(completed_batch(ctx, [JobStatus.SUCCEEDED]).id, "t0") == 0
    batch = completed_batch(ctx, [JobStatus.FAILED])
    assert ctx.batches.open_retry(batch.id, "t1") == 1
    ctx.batches.retry_done(batch.id, "t1")  # e.g. its send failed: undone

    assert ctx.batches.get(batch.id).status == "completed"
    assert [e["status"] for e in batch_events(ctx, batch.id)] == ["completed"]
    assert not ctx.batches.mark_canceled(batch.id)


def test_no_stage_of_a_canceled_batchs_job_starts_or_hands_on_once_the_cancel_is_recorded(
    ctx: WorkerContext,
) -> None:
    # The cancel task reaches each job in turn; until it does, a stage worker taking the
    # job's message must not start it (calling a vendor, after the cancel was answered),
    # nor a stage already running hand the job on to the next stage.
    options = JobOptions(stages=[Stage.STT, Stage.LLM])
    batch = Batch(source="manifest", options=options)
    ctx.batches.create(batch, [BatchItem(key=f"vm{i}.wav") for i in range(2)])
    jobs = []
    for index in range(2):
        job = Job(
            id=batch_job_id(batch.id, index),
            options=options,
            input=wav_input_meta(),
            batch_id=batch.id,
            batch_index=index,
        )
        ctx.jobs.create_batch_job(job)
        jobs.append(job.id)
    running = ctx.jobs.update(jobs[1], lambda j: start(j, Stage.STT, "t1", "local", 3, _no_output))
    assert running.status == JobStatus.TRANSCRIBING
    assert ctx.batches.mark_canceled(batch.id)

    with pytest.raises(BatchCanceled):
        ctx.jobs.update(jobs[0], lambda j: start(j, Stage.STT, "t0", "local", 3, _no_output))
    assert ctx.jobs.get(jobs[0]).status == JobStatus.QUEUED
    with pytest.raises(BatchCanceled):
        ctx.jobs.update(jobs[1], lambda j: _handed_on(j))
    assert ctx.jobs.get(jobs[1]).status == JobStatus.TRANSCRIBING
    # The cancel task still ends both.
    cancel_unfinished(ctx, batch.id)
    assert [ctx.jobs.get(j).status for j in jobs] == [JobStatus.CANCELED] * 2
    ctx.batches.chunk_done(batch.id, 0, 1)
    assert assert_ended_adding_up(ctx, batch.id, "canceled")["canceled"] == 2


def _handed_on(job: Job) -> bool:
    # What finishing stt does to the record: stt succeeded, the job responding.
    job.stages[Stage.STT].status = StageStatus.SUCCEEDED
    job.status = JobStatus.RESPONDING
    return True


def _no_output(key: str) -> bool:
    return False


def test_a_later_stage_of_a_canceled_batchs_job_does_not_start_either(ctx: WorkerContext) -> None:
    job_id = _running_in_canceled_batch(ctx, [Stage.STT, Stage.LLM], handed_on=True)

    with pytest.raises(BatchCanceled):
        ctx.jobs.update(job_id, lambda j: start(j, Stage.LLM, "t1", "local", 3, _no_output))
    assert ctx.jobs.get(job_id).stages[Stage.LLM].status == StageStatus.PENDING


def _running_in_canceled_batch(
    ctx: WorkerContext, stages: list[Stage] | None = None, handed_on: bool = False
) -> str:
    """A batch job whose stt stage runs (delivery "t0"), or with ``handed_on`` has run and
    queued the next stage's message, and its batch's cancel recorded."""
    options = JobOptions(stages=stages or [Stage.STT])
    batch = Batch(source="manifest", options=options)
    ctx.batches.create(batch, [BatchItem(key="vm.wav")])
    job = Job(
        id=batch_job_id(batch.id, 0),
        options=options,
        input=wav_input_meta(),
        batch_id=batch.id,
        batch_index=0,
    )
    ctx.jobs.create_batch_job(job)
    ctx.jobs.update(job.id, lambda j: start(j, Stage.STT, "t0", "local", 3, _no_output))
    if handed_on:
        ctx.jobs.update(job.id, _handed_on)
    assert ctx.batches.mark_canceled(batch.id)
    return job.id


def test_a_stage_the_sweeper_redrives_on_a_canceled_batchs_job_does_not_start(
    ctx: WorkerContext,
) -> None:
    job_id = _running_in_canceled_batch(ctx)
    ctx.jobs.update(job_id, lambda j: redrive(j, 3).changed)

    with pytest.raises(BatchCanceled):
        ctx.jobs.update(job_id, lambda j: start(j, Stage.STT, "t1", "local", 3, _no_output))
    assert ctx.jobs.get(job_id).stages[Stage.STT].task_id is None


def test_a_stage_delivered_again_after_its_worker_died_does_not_start_once_the_batch_is_canceled(
    ctx: WorkerContext,
) -> None:
    # The broker hands the dead worker's message on again: the record says running, owned
    # by that message, and its start changed neither the job's status nor the stage's.
    job_id = _running_in_canceled_batch(ctx)

    with pytest.raises(BatchCanceled):
        ctx.jobs.update(job_id, lambda j: start(j, Stage.STT, "t0", "local", 3, _no_output))
    assert ctx.jobs.get(job_id).stages[Stage.STT].attempts == 1
