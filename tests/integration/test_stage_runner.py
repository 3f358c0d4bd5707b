"""The stage runner (``workers.stage.run_stage``) called directly, without a Celery worker,
against a real Valkey server and a LocalStorage directory.

Concurrent changes (an API cancel, a sweeper re-drive) are injected from inside the work
function, between the runner's start and its finish, which is exactly where they race."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery.exceptions import Ignore

from shared.celery_app import TASK_NAMES
from shared.models import (
    REPLY_OBJECT,
    ErrorInfo,
    Job,
    JobStatus,
    Reply,
    Stage,
    StageRecord,
    StageStatus,
    utcnow,
)
from tests.conftest import ValkeyProcess
from tests.integration.stage_runner_helpers import FakeTask, direct_context, transcribed_job
from workers.context import WorkerContext
from workers.llm import respond_job
from workers.stage import run_stage
from workers.stage_output import StageOutput, attempt_key

pytestmark = pytest.mark.integration

Hook = Callable[[Job, WorkerContext], None]


class CountingWork:
    """The llm stage's real work, counted, with an optional change made while it runs."""

    def __init__(self, during: Hook | None = None) -> None:
        self.during = during
        self.calls = 0

    def __call__(self, job: Job, ctx: WorkerContext) -> StageOutput:
        self.calls += 1
        if self.during is not None:
            self.during(job, ctx)
        return respond_job(job, ctx)


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    with direct_context(valkey.url, tmp_path, monkeypatch) as context:
        yield context


def prefix(job: Job) -> str:
    return job.object_key("")


def reply_key(job: Job, attempt: int = 1) -> str:
    return attempt_key(job.object_key(REPLY_OBJECT), attempt)


def test_a_normal_run_records_its_reply_under_the_plain_key_and_passes_on(
    ctx: WorkerContext,
) -> None:
    job = transcribed_job(ctx)
    task, work = FakeTask("t-1", ctx), CountingWork()

    run_stage(task, job.id, Stage.LLM, work)

    after = ctx.jobs.get(job.id)
    rec = after.stages[Stage.LLM]
    assert work.calls == 1
    assert (rec.status, rec.task_id, rec.attempts, rec.provider) == (
        StageStatus.SUCCEEDED,
        "t-1",
        1,
        "local",
    )
    assert rec.output_key == reply_key(job)
    stored = Reply.model_validate_json(ctx.storage.get(reply_key(job)))
    assert after.results.reply == stored.text
    assert after.results.triage == stored.triage
    assert after.status == JobStatus.SYNTHESIZING
    assert ctx.storage.list(prefix(job)) == sorted([job.input.key, reply_key(job)])
    assert task.sent == [(TASK_NAMES[Stage.TTS], [job.id], "tts")]


def test_a_run_whose_job_was_canceled_while_it_worked_discards_its_reply(
    ctx: WorkerContext,
) -> None:
    def cancel(job: Job) -> bool:  # what DELETE /v1/jobs/{id} does
        job.status = JobStatus.CANCELED
        job.error = ErrorInfo(code="canceled", message="canceled by request")
        job.finished_at = utcnow()
        return True

    def canceled_meanwhile(job: Job, c: WorkerContext) -> None:
        c.jobs.update(job.id, cancel)

    job = transcribed_job(ctx)
    before = ctx.storage.list(prefix(job))
    task, work = FakeTask("t-1", ctx), CountingWork(canceled_meanwhile)

    with pytest.raises(Ignore):
        run_stage(task, job.id, Stage.LLM, work)

    after = ctx.jobs.get(job.id)
    assert work.calls == 1
    assert after.status == JobStatus.CANCELED
    assert after.results.reply is None
    assert after.stages[Stage.LLM].output_key is None
    assert ctx.storage.list(prefix(job)) == before
    assert task.sent == []


def test_a_run_that_was_re_driven_while_it_worked_leaves_the_owners_output_untouched(
    ctx: WorkerContext,
) -> None:
    owner: list[Job] = []

    def owner_finished(job: Job, c: WorkerContext) -> None:
        # Meanwhile the sweeper re-drove the stage and the new delivery ran it to the end.
        key = reply_key(job, 2)
        reply = Reply(text="the owner's reply", provider="local")
        c.storage.put(key, reply.model_dump_json().encode())

        def take_over(j: Job) -> bool:
            rec = j.stages[Stage.LLM]
            rec.status, rec.task_id, rec.attempts = StageStatus.SUCCEEDED, "t-owner", 2
            rec.output_key = key
            j.results.reply = "the owner's reply"
            j.status = JobStatus.SYNTHESIZING
            return True

        owner.append(c.jobs.update(job.id, take_over))

    job = transcribed_job(ctx)
    task = FakeTask("t-stale", ctx)

    with pytest.raises(Ignore):
        run_stage(task, job.id, Stage.LLM, CountingWork(owner_finished))

    assert ctx.jobs.get(job.id) == owner[0]  # not written again
    assert not ctx.storage.exists(reply_key(job))  # the stale run's own object
    owners = Reply.model_validate_json(ctx.storage.get(reply_key(job, 2)))
    assert owners.text == "the owner's reply"
    assert task.sent == []


def test_a_second_attempt_stores_its_own_key_and_removes_what_the_first_left(
    ctx: WorkerContext,
) -> None:
    # The first delivery wrote its reply, then its worker died before recording it.
    crashed = StageRecord(status=StageStatus.RUNNING, task_id="t-1", attempts=1)
    job = transcribed_job(ctx, llm=crashed)
    ctx.storage.put(reply_key(job), b'{"text": "left over"}')

    run_stage(FakeTask("t-1", ctx), job.id, Stage.LLM, CountingWork())

    rec = ctx.jobs.get(job.id).stages[Stage.LLM]
    assert (rec.status, rec.attempts, rec.crashes) == (StageStatus.SUCCEEDED, 2, 1)
    assert rec.output_key == reply_key(job, 2) == job.object_key("reply.2.json")
    assert ctx.storage.list(prefix(job)) == sorted([job.input.key, reply_key(job, 2)])


def test_a_duplicate_delivery_while_another_runs_the_stage_does_nothing(
    ctx: WorkerContext,
) -> None:
    running = StageRecord(status=StageStatus.RUNNING, task_id="t-owner", attempts=1)
    job = transcribed_job(ctx, llm=running)
    stored = ctx.jobs.get(job.id)
    before = ctx.storage.list(prefix(job))
    task, work = FakeTask("t-duplicate", ctx), CountingWork()

    with pytest.raises(Ignore):
        run_stage(task, job.id, Stage.LLM, work)

    assert work.calls == 0
    assert ctx.jobs.get(job.id) == stored
    assert ctx.storage.list(prefix(job)) == before
    assert task.sent == []


def test_a_redelivered_finished_stage_passes_on_without_working_again(
    ctx: WorkerContext,
) -> None:
    job = transcribed_job(ctx)
    work = CountingWork()
    run_stage(FakeTask("t-1", ctx), job.id, Stage.LLM, work)
    finished = ctx.jobs.get(job.id)
    objects = ctx.storage.list(prefix(job))
    again = FakeTask("t-1", ctx)

    run_stage(again, job.id, Stage.LLM, work)

    assert work.calls == 1
    assert ctx.jobs.get(job.id) == finished
    assert ctx.storage.list(prefix(job)) == objects
    assert again.sent == [(TASK_NAMES[Stage.TTS], [job.id], "tts")]


def test_a_finished_stage_whose_output_went_missing_runs_again(ctx: WorkerContext) -> None:
    job = transcribed_job(ctx)
    work = CountingWork()
    run_stage(FakeTask("t-1", ctx), job.id, Stage.LLM, work)
    ctx.storage.delete(reply_key(job))

    run_stage(FakeTask("t-2", ctx), job.id, Stage.LLM, work)

    rec = ctx.jobs.get(job.id).stages[Stage.LLM]
    assert work.calls == 2
    assert (rec.status, rec.task_id, rec.output_key) == (
        StageStatus.SUCCEEDED,
        "t-2",
        reply_key(job, 2),
    )
    assert ctx.storage.exists(reply_key(job, 2))


@pytest.mark.parametrize(
    ("key", "attempt", "expected"),
    [
        ("reply.json", 1, "reply.json"),
        ("reply.json", 0, "reply.json"),
        ("reply.json", 2, "reply.2.json"),
        ("t/jobs/j1/reply.json", 3, "t/jobs/j1/reply.3.json"),
        ("t/jobs/j1/reply.tar.gz", 2, "t/jobs/j1/reply.2.tar.gz"),
        ("t/jobs.v1/j1/audio", 2, "t/jobs.v1/j1/audio.2"),
        ("audio", 2, "audio.2"),
        ("audio", 1, "audio"),
    ],
)
def test_each_attempt_of_a_stage_has_its_own_key_next_to_the_first(
    key: str, attempt: int, expected: str
) -> None:
    assert attempt_key(key, attempt) == expected
