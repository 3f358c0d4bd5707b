"""A stage run whose job is deleted (DELETE /v1/jobs/{id}) while it runs was billed by its
vendor all the same: what it was billed joins the job's kept usage (shared.kept_usage)
once, whether the run's answer came back good, was refused, or failed to be retried, and
whichever side of the delete's cancel and removal it lands on; a redelivery adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from celery.exceptions import Ignore

import workers.stage
from shared.job_transitions import cancel
from shared.kept_usage import KeptUsageStore, kept_write, priced
from shared.models import Job, JobOptions, JobResults, Stage, Usage
from tests.factories import wav_input_meta
from tests.integration.stage_runner_helpers import FakeTask
from workers.context import WorkerContext
from workers.providers.errors import ProviderError
from workers.stage import run_stage
from workers.stage_output import StageOutput

SPENT = Usage(input_tokens=640, output_tokens=90, model="claude-sonnet-4-6")


def _job(ctx: WorkerContext, stt_provider: str = "whisper") -> Job:
    options = JobOptions(stages=[Stage.STT, Stage.LLM], stt_provider=stt_provider)
    job = Job(options=options, input=wav_input_meta(key="vm0.wav"))
    job.input.duration_s = 42.5
    ctx.jobs.create(job)
    return job


def _delete(ctx: WorkerContext, job_id: str) -> None:
    """What DELETE /v1/jobs/{id} does to the record: cancel it, then remove it, keeping
    its usage (api.routes.control.delete_job)."""
    job = ctx.jobs.update(job_id, cancel)
    ctx.jobs.delete(job, partial(kept_write, settings=ctx.settings))


def _heard(results: JobResults, _key: str) -> None:
    results.transcript = "call me back"
    results.transcription = {"engine": "whisper", "model": "whisper-1"}


def _deleted_while(ctx: WorkerContext) -> Callable[[Job, WorkerContext], StageOutput]:
    def work(job: Job, _: WorkerContext) -> StageOutput:
        _delete(ctx, job.id)  # lands while the vendor answers
        return StageOutput("out.json", b"{}", "application/json", _heard)

    return work


def _ran_twice(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, job: Job, work: object
) -> list[tuple[str, str, float]]:
    monkeypatch.setattr(workers.stage, "get_context", lambda: ctx)
    for _ in range(2):  # the message delivered again (a worker lost before its ack)
        with pytest.raises(Ignore):
            run_stage(FakeTask("t1", ctx), job.id, Stage.STT, work)  # type: ignore[arg-type]
    kept = KeptUsageStore(ctx.jobs.redis).get_many(job.tenant, [job.id])
    assert len(kept) == 1
    lines = priced(kept[0], ctx.settings).lines
    return [(line.engine, line.meter, line.quantity) for line in lines]


def test_the_seconds_whisper_billed_a_run_whose_job_was_deleted_meanwhile_are_kept_once(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(ctx)

    assert _ran_twice(ctx, monkeypatch, job, _deleted_while(ctx)) == [("whisper", "audio_s", 42.5)]


def test_a_run_charged_as_discarded_after_the_deletes_cancel_is_kept_once_when_the_delete_lands(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _job(ctx)
    billed = workers.stage.run_billed

    def work(job: Job, _: WorkerContext) -> StageOutput:
        ctx.jobs.update(job.id, cancel)  # the delete's first step, while the vendor answers
        return StageOutput("out.json", b"{}", "application/json", _heard)

    def removed_then_billed(*args: Any) -> Any:
        # The delete's removal lands between the discard and the charge's write.
        ctx.jobs.delete(ctx.jobs.get(job.id), partial(kept_write, settings=ctx.settings))
        return billed(*args)

    monkeypatch.setattr(workers.stage, "run_billed", removed_then_billed)

    assert _ran_twice(ctx, monkeypatch, job, work) == [("whisper", "audio_s", 42.5)]


@pytest.mark.parametrize("code", ["content_refused", "provider_overloaded"])
def test_the_tokens_of_a_failed_run_whose_job_was_deleted_meanwhile_are_kept_once(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    job = _job(ctx, stt_provider="claude")

    def work(job: Job, _: WorkerContext) -> StageOutput:
        _delete(ctx, job.id)
        failure = ProviderError(code, "the model declined")  # refused, or to be tried again
        failure.billed = SPENT
        raise failure

    assert _ran_twice(ctx, monkeypatch, job, work) == [
        ("claude", "input_tokens", 640),
        ("claude", "output_tokens", 90),
    ]
