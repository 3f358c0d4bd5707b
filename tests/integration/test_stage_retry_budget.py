"""The retry budget of a stage (``RETRIES__MAX_ATTEMPTS``) when its job is retried by hand.

A job whose stage ran out of attempts against a vendor that kept answering 429 is failed
``retries_exhausted``; an operator retries it (``POST /v1/jobs/{id}/retry``) once the vendor
is back. The resumed stage must get its retries again, not one bare attempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.exceptions import Ignore, Retry

from shared import job_transitions as t
from shared.models import Job, Stage, StageRecord, StageStatus
from tests.conftest import ValkeyProcess
from tests.integration.stage_runner_helpers import FakeTask, direct_context, transcribed_job
from workers.context import WorkerContext
from workers.providers.errors import ProviderError
from workers.stage import run_stage
from workers.stage_output import StageOutput

pytestmark = pytest.mark.integration


class RetryingTask(FakeTask):
    """A FakeTask that can be retried as a bound Celery task is: ``retry`` gives the
    exception the runner raises, and keeps the countdown asked for."""

    countdowns: list[float]

    def retry(self, countdown: float) -> Retry:
        self.countdowns = [*getattr(self, "countdowns", []), countdown]
        return Retry(when=countdown)


def rate_limited(job: Job, ctx: WorkerContext) -> StageOutput:
    raise ProviderError("rate_limited", "Anthropic answered 429: slow down", status=429)


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    with direct_context(valkey.url, tmp_path, monkeypatch) as context:
        yield context


def exhausted_job(ctx: WorkerContext) -> Job:
    """A job whose llm stage used every attempt the settings allow on a 429, as run."""
    limit = ctx.settings.retries.max_attempts
    job = transcribed_job(ctx, llm=StageRecord(status=StageStatus.PENDING))
    for attempt in range(1, limit + 1):
        raised = Retry if attempt < limit else Ignore
        with pytest.raises(raised):
            run_stage(RetryingTask(f"t-{attempt}", ctx), job.id, Stage.LLM, rate_limited)
        # The next delivery of the retry owns the stage (as Celery's retry keeps the id).
        ctx.jobs.update(job.id, lambda j, n=attempt: _hand_to(j, f"t-{n + 1}"))
    ended = ctx.jobs.get(job.id)
    assert ended.error is not None
    assert ended.error.code == "llm.retries_exhausted"
    return ended


def _hand_to(job: Job, task_id: str) -> bool:
    rec = job.stages[Stage.LLM]
    if rec.status != StageStatus.RETRYING:
        return False
    rec.task_id = task_id
    return True


def test_a_retried_job_whose_stage_ran_out_of_attempts_is_retried_again_after_a_429(
    ctx: WorkerContext,
) -> None:
    job = exhausted_job(ctx)
    ctx.jobs.update(job.id, t.resume)

    task = RetryingTask("t-again", ctx)
    with pytest.raises(Retry):
        run_stage(task, job.id, Stage.LLM, rate_limited)

    rec = ctx.jobs.get(job.id).stages[Stage.LLM]
    assert rec.status == StageStatus.RETRYING
    assert rec.error is not None
    assert rec.error.code == "rate_limited"
    assert len(task.countdowns) == 1


def test_a_retried_job_gives_up_after_its_own_attempts_and_says_how_many(
    ctx: WorkerContext,
) -> None:
    job = exhausted_job(ctx)
    ctx.jobs.update(job.id, t.resume)
    limit = ctx.settings.retries.max_attempts
    for attempt in range(1, limit + 1):
        raised = Retry if attempt < limit else Ignore
        with pytest.raises(raised):
            run_stage(RetryingTask(f"r-{attempt}", ctx), job.id, Stage.LLM, rate_limited)
        ctx.jobs.update(job.id, lambda j, n=attempt: _hand_to(j, f"r-{n + 1}"))

    ended = ctx.jobs.get(job.id)
    assert ended.error is not None
    assert ended.error.code == "llm.retries_exhausted"
    assert ended.error.message.startswith(f"gave up after {limit} attempts")
    assert ended.stages[Stage.LLM].attempts == 2 * limit


def test_a_job_that_gave_up_names_the_setting_of_its_attempts_and_the_vendors_words(
    ctx: WorkerContext,
) -> None:
    ended = exhausted_job(ctx)

    assert ended.error is not None
    assert "VOICEPIPE_RETRIES__MAX_ATTEMPTS" in ended.error.message
    assert "Anthropic answered 429: slow down" in ended.error.message


def test_a_vendor_asking_for_a_longer_pause_than_the_deployment_waits_fails_the_job_at_once(
    ctx: WorkerContext,
) -> None:
    def quota_until_tomorrow(job: Job, ctx: WorkerContext) -> StageOutput:
        raise ProviderError("rate_limited", "OpenAI answered 429: quota", retry_after_s=86400)

    job = transcribed_job(ctx, llm=StageRecord(status=StageStatus.PENDING))
    task = RetryingTask("t-1", ctx)

    with pytest.raises(Ignore):
        run_stage(task, job.id, Stage.LLM, quota_until_tomorrow)

    ended = ctx.jobs.get(job.id)
    assert not getattr(task, "countdowns", [])  # before, retried after about 600 s
    assert ended.error is not None
    assert ended.error.code == "llm.rate_limited"
    assert "OpenAI answered 429: quota" in ended.error.message
    assert "86400 s" in ended.error.message
    assert "VOICEPIPE_RETRIES__MAX_RETRY_AFTER_S" in ended.error.message
