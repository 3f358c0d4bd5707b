"""A stage run whose answer is dropped because its batch was canceled while it ran (the
cancel recorded, the cancel task not yet at this job) was billed by its vendor all the
same: what it was billed goes to stages.<stage>.billed once (workers.stage), as a run
discarded for its own job's cancel does, and a redelivery of its message adds nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from celery.exceptions import Ignore

import workers.stage
from shared.batch_keys import batch_key
from shared.batches import Batch, BatchItem, batch_job_id
from shared.models import (
    Billed,
    Job,
    JobOptions,
    JobResults,
    JobStatus,
    Stage,
    StageRecord,
    StageStatus,
    Usage,
)
from shared.usage import job_usage
from tests.factories import wav_input_meta
from tests.integration.stage_runner_helpers import FakeTask
from workers.context import WorkerContext
from workers.stage import run_stage
from workers.stage_output import StageOutput

SPENT = Usage(input_tokens=640, output_tokens=90, model="claude-sonnet-4-6")


def _batch_job(ctx: WorkerContext, options: JobOptions) -> Job:
    batch = Batch(source="manifest", options=options)
    ctx.batches.create(batch, [BatchItem(key="vm0.wav")])
    job = Job(
        id=batch_job_id(batch.id, 0),
        options=options,
        input=wav_input_meta(key="vm0.wav"),
        batch_id=batch.id,
        batch_index=0,
    )
    job.input.duration_s = 42.5
    assert ctx.jobs.create_batch_job(job)
    return job


def _canceled_while(ctx: WorkerContext, record: Callable[[JobResults], None]) -> object:
    def work(job: Job, _: WorkerContext) -> StageOutput:
        # POST /v1/batches/{id}/cancel lands while the vendor answers.
        ctx.batches.redis.hset(batch_key(str(job.batch_id)), "canceled", "1")
        return StageOutput("out.json", b"{}", "application/json", lambda r, _k: record(r))

    return work


def _ran_twice(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, job: Job, stage: Stage, work: object
) -> Job:
    monkeypatch.setattr(workers.stage, "get_context", lambda: ctx)
    for _ in range(2):  # the message delivered again (a worker lost before its ack)
        with pytest.raises(Ignore):
            run_stage(FakeTask("t1", ctx), job.id, stage, work)  # type: ignore[arg-type]
    return ctx.jobs.get(job.id)


def test_the_seconds_whisper_billed_a_run_its_canceled_batch_dropped_are_charged_once(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = JobOptions(stages=[Stage.STT, Stage.LLM], stt_provider="whisper")
    job = _batch_job(ctx, options)

    def heard(results: JobResults) -> None:
        results.transcript = "call me back"
        results.transcription = {"engine": "whisper", "model": "whisper-1"}

    after = _ran_twice(ctx, monkeypatch, job, Stage.STT, _canceled_while(ctx, heard))

    assert after.results.transcript is None  # the answer itself is not the job's
    assert after.stages[Stage.STT].billed == [
        Billed(engine="whisper", model="whisper-1", audio_s=42.5)
    ]
    seconds = [line for line in job_usage(after, ctx.settings).lines if line.meter == "audio_s"]
    assert [(line.engine, line.quantity) for line in seconds] == [("whisper", 42.5)]


def test_the_tokens_of_a_reply_its_canceled_batch_dropped_are_charged_once(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = JobOptions(stages=[Stage.STT, Stage.LLM, Stage.TTS], llm_provider="claude")
    job = _batch_job(ctx, options)
    ctx.jobs.update(job.id, _transcribed)

    def replied(results: JobResults) -> None:
        results.usage = SPENT

    after = _ran_twice(ctx, monkeypatch, job, Stage.LLM, _canceled_while(ctx, replied))

    assert after.results.usage is None
    assert after.stages[Stage.LLM].billed == [Billed.of(SPENT)]


def _transcribed(job: Job) -> bool:
    job.status = JobStatus.RESPONDING
    job.stages[Stage.STT] = StageRecord(status=StageStatus.SUCCEEDED, provider="whisper")
    job.results.transcript = "call me back"
    return True
