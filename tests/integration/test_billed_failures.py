"""Tokens Anthropic bills for an answer the reply stage could not use are the job's usage."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.exceptions import Ignore

import workers.stage
from shared import job_transitions as transitions
from shared.models import Billed, Job, JobResults, JobStatus, Stage, StageStatus, Usage
from shared.usage import job_usage
from tests.conftest import ValkeyProcess
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.fakes.server import Fault
from tests.integration.stage_runner_helpers import FakeTask, transcribed_job
from tests.worker_context import local_worker_context
from workers.context import WorkerContext
from workers.llm import respond_job
from workers.providers.anthropic_client import forget_verified_models
from workers.providers.registry import clear_instances
from workers.stage import run_stage
from workers.stage_output import StageOutput

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[AnthropicFake]:
    with AnthropicFake() as server:
        forget_verified_models()
        clear_instances()
        yield server
    clear_instances()


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, fake: AnthropicFake, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    context = local_worker_context(valkey.url, tmp_path)
    section = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    settings = context.settings.model_copy(
        update={"anthropic": type(context.settings.anthropic)(**section)}
    )
    context = dataclasses.replace(context, settings=settings)
    monkeypatch.setattr(workers.stage, "get_context", lambda: context)
    yield context
    context.jobs.redis.close()


def _stopped(reason: str, input_tokens: int, output_tokens: int) -> Fault:
    """A 200 that stopped early: Anthropic bills it like any answer."""
    body = {
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "voicemail_reply",
                     "input": {}}],
        "stop_reason": reason,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }  # fmt: skip
    return Fault(status=200, body=json.dumps(body).encode())


def _tokens(ctx: WorkerContext, job_id: str) -> dict[str, int | float]:
    lines = job_usage(ctx.jobs.get(job_id), ctx.settings).lines
    llm = [line for line in lines if line.stage == Stage.LLM and line.meter.endswith("_tokens")]
    assert len({line.meter for line in llm}) == len(llm)  # one line a meter: none counted twice
    return {line.meter: line.quantity for line in llm}


def test_tokens_of_a_truncated_answer_are_on_the_failed_job_and_stay_after_its_retry(
    ctx: WorkerContext, fake: AnthropicFake
) -> None:
    job = transcribed_job(ctx)
    ctx.jobs.update(job.id, lambda j: setattr(j.options, "llm_provider", "claude"))
    fake.fail_next(_stopped("max_tokens", 700, 1024))

    with pytest.raises(Ignore):
        run_stage(FakeTask("t1", ctx), job.id, Stage.LLM, respond_job)

    failed = ctx.jobs.get(job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error is not None
    assert failed.error.code == "llm.output_truncated"
    assert _tokens(ctx, job.id) == {"input_tokens": 700, "output_tokens": 1024}

    # Retried by hand, the stage answers: both answers were billed, each counted once.
    ctx.jobs.update(job.id, lambda j: transitions.resume(j) is not None)
    run_stage(FakeTask("t2", ctx), job.id, Stage.LLM, respond_job)

    done = ctx.jobs.get(job.id)
    assert done.stages[Stage.LLM].status == "succeeded"
    usage = done.results.usage
    assert usage is not None
    assert usage.input_tokens > 0
    assert _tokens(ctx, job.id) == {
        "input_tokens": 700 + usage.input_tokens,
        "output_tokens": 1024 + usage.output_tokens,
    }


def test_tokens_of_a_refused_answer_are_on_the_failed_job(
    ctx: WorkerContext, fake: AnthropicFake
) -> None:
    job = transcribed_job(ctx)
    ctx.jobs.update(job.id, lambda j: setattr(j.options, "llm_provider", "claude"))
    fake.fail_next(_stopped("refusal", 650, 3))

    with pytest.raises(Ignore):
        run_stage(FakeTask("t1", ctx), job.id, Stage.LLM, respond_job)

    assert ctx.jobs.get(job.id).error.code == "llm.content_refused"  # type: ignore[union-attr]
    assert _tokens(ctx, job.id) == {"input_tokens": 650, "output_tokens": 3}


def _cancel(ctx: WorkerContext, job_id: str) -> None:
    ctx.jobs.update(job_id, transitions.cancel)


def test_tokens_of_a_refused_answer_are_on_the_job_canceled_while_it_ran(
    ctx: WorkerContext, fake: AnthropicFake
) -> None:
    job = transcribed_job(ctx)
    ctx.jobs.update(job.id, lambda j: setattr(j.options, "llm_provider", "claude"))
    fake.fail_next(_stopped("refusal", 650, 3))

    def canceled_meanwhile(job: Job, context: WorkerContext) -> StageOutput:
        _cancel(context, job.id)
        return respond_job(job, context)

    with pytest.raises(Ignore):
        run_stage(FakeTask("t1", ctx), job.id, Stage.LLM, canceled_meanwhile)

    after = ctx.jobs.get(job.id)
    assert after.status == JobStatus.CANCELED
    assert after.error is not None
    assert after.error.code == "canceled"  # the stale failure changed nothing else
    assert after.stages[Stage.LLM].status == StageStatus.CANCELED
    assert after.stages[Stage.LLM].error is None
    assert _tokens(ctx, job.id) == {"input_tokens": 650, "output_tokens": 3}


def test_tokens_of_a_failed_run_another_delivery_took_over_are_on_the_job_once(
    ctx: WorkerContext, fake: AnthropicFake
) -> None:
    job = transcribed_job(ctx)
    ctx.jobs.update(job.id, lambda j: setattr(j.options, "llm_provider", "claude"))
    fake.fail_next(_stopped("max_tokens", 700, 1024))

    def taken_over_meanwhile(job: Job, context: WorkerContext) -> StageOutput:
        # The sweeper re-drove the stage and another delivery started it.
        context.jobs.update(job.id, lambda j: setattr(j.stages[Stage.LLM], "task_id", "t2"))
        return respond_job(job, context)

    with pytest.raises(Ignore):
        run_stage(FakeTask("t1", ctx), job.id, Stage.LLM, taken_over_meanwhile)

    after = ctx.jobs.get(job.id)
    llm = after.stages[Stage.LLM]
    # The new owner's stage is as it was: still running, no error, the job not failed.
    assert (llm.status, llm.task_id, llm.error) == (StageStatus.RUNNING, "t2", None)
    assert (after.status, after.error) == (JobStatus.RESPONDING, None)
    assert [(u.input_tokens, u.output_tokens) for u in llm.billed] == [(700, 1024)]


def test_tokens_of_an_answer_discarded_because_the_job_was_canceled_are_on_the_job(
    ctx: WorkerContext, fake: AnthropicFake
) -> None:
    job = transcribed_job(ctx)
    ctx.jobs.update(job.id, lambda j: setattr(j.options, "llm_provider", "claude"))
    answered: list[Usage] = []

    def canceled_meanwhile(job: Job, context: WorkerContext) -> StageOutput:
        output = respond_job(job, context)
        results = JobResults()
        output.record_results(results, "reply.json")
        answered.append(results.usage or Usage())
        _cancel(context, job.id)
        return output

    with pytest.raises(Ignore):
        run_stage(FakeTask("t1", ctx), job.id, Stage.LLM, canceled_meanwhile)

    after = ctx.jobs.get(job.id)
    assert after.status == JobStatus.CANCELED
    assert after.results.reply is None  # the answer itself is not the job's
    assert answered[0].input_tokens > 0
    assert after.stages[Stage.LLM].billed == [Billed.of(spent) for spent in answered]
    assert _tokens(ctx, job.id) == {
        "input_tokens": answered[0].input_tokens,
        "output_tokens": answered[0].output_tokens,
    }
