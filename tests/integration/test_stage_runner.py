"""The stage runner (``workers.stage.run_stage``) called directly, without a Celery worker,
against a real Valkey server and a LocalStorage directory.

Concurrent changes (an API cancel, a sweeper re-drive) are injected from inside the work
function, between the runner's start and its finish, which is exactly where they race."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from celery.exceptions import Ignore

import workers.stage
import workers.stt
from shared.celery_app import TASK_NAMES, create_celery
from shared.models import (
    REPLY_OBJECT,
    ErrorInfo,
    Job,
    JobOptions,
    JobStatus,
    Reply,
    Stage,
    StageRecord,
    StageStatus,
    Transcript,
    utcnow,
)
from shared.settings.providers import OpenAISettings
from tests.audio_factory import AudioFormat, encode
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.worker_context import local_worker_context
from workers.context import WorkerContext
from workers.llm import respond_job
from workers.providers.errors import ProviderError
from workers.stage import StageOutput, attempt_key, run_stage
from workers.stt import transcribe_job

pytestmark = pytest.mark.integration

Hook = Callable[[Job, WorkerContext], None]


class FakeTask:
    """Stands in for a bound Celery task: the delivery's id and the real app, whose messages
    this run queued are read back from the broker's lists."""

    def __init__(self, task_id: str, ctx: WorkerContext) -> None:
        self.request = SimpleNamespace(id=task_id)
        self.app = create_celery(ctx.settings)
        self._redis = ctx.jobs.redis
        self._before = {q: self._redis.llen(q) for q in _STAGE_QUEUES}

    @property
    def sent(self) -> list[tuple[str, list[str], str]]:
        """(task, args, queue) of each message queued since this task was made."""
        sent = []
        for queue in _STAGE_QUEUES:
            new = self._redis.llen(queue) - self._before[queue]
            for raw in self._redis.lrange(queue, 0, new - 1) if new > 0 else []:
                message = json.loads(raw)
                args, _, _ = json.loads(base64.b64decode(message["body"]))
                sent.append((message["headers"]["task"], args, queue))
        return sent


_STAGE_QUEUES = [stage.value for stage in Stage]


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
    """A worker context of its own, handed to the runner in place of the cached one."""
    context = local_worker_context(valkey.url, tmp_path)
    monkeypatch.setattr(workers.stage, "get_context", lambda: context)
    yield context
    context.jobs.redis.close()


def transcribed_job(ctx: WorkerContext, llm: StageRecord | None = None) -> Job:
    """A stored job whose transcription succeeded: the llm stage is next."""
    meta = wav_input_meta(key="pending", size_bytes=4)
    job = Job(options=JobOptions(llm_provider="local"), input=meta)
    job.input.key = job.object_key("input.wav")
    job.status = JobStatus.RESPONDING
    job.stages[Stage.STT] = StageRecord(status=StageStatus.SUCCEEDED, provider="test")
    job.results.transcript = "hi this is dana please call me back about my order"
    if llm is not None:
        job.stages[Stage.LLM] = llm
    ctx.storage.put(job.input.key, b"RIFF")
    ctx.jobs.create(job)
    return job


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


@pytest.mark.parametrize("fmt", ["amr", "3gp", "aac"])
def test_a_recording_damaged_past_its_start_fails_as_undecodable_without_a_traceback(
    ctx: WorkerContext, caplog: pytest.LogCaptureFixture, fmt: AudioFormat
) -> None:
    # Intake decodes only the first quarter second, so 2,000 random bytes mid-file pass it.
    data = bytearray(encode(fmt, 8.0))
    middle = len(data) // 2 - 1000
    data[middle : middle + 2000] = np.random.default_rng(0).bytes(2000)
    job = Job(input=wav_input_meta(key="pending", size_bytes=len(data)))
    job.input.key = job.object_key(f"input.{fmt}")
    ctx.storage.put(job.input.key, bytes(data))
    ctx.jobs.create(job)

    with caplog.at_level(logging.INFO), pytest.raises(Ignore):
        run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    after = ctx.jobs.get(job.id)
    assert after.status == JobStatus.FAILED
    assert after.error is not None
    assert after.error.code == "stt.undecodable"
    assert "could not be decoded" in after.error.message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


class _HeardOnce:
    name = "heard-once"

    def transcribe(self, audio: object) -> Transcript:
        return Transcript(text="hello this is dana", provider=self.name)


def _stored_recording(ctx: WorkerContext, sha256: str | None) -> tuple[Job, bytes]:
    data = encode("wav", 2.0)
    job = Job(input=wav_input_meta(key="pending", size_bytes=len(data)))
    job.input.key = job.object_key("input.wav")
    job.input.sha256 = sha256
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)
    return job, data


def test_the_transcription_stage_records_the_hash_intake_left_to_it(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # POST /v1/jobs stores a recording without hashing it (api.intake): the stage that
    # reads it hashes it, and the job shows the hash from then on.
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: _HeardOnce())
    job, data = _stored_recording(ctx, sha256=None)

    run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    after = ctx.jobs.get(job.id)
    assert after.results.transcript == "hello this is dana"
    assert after.input.sha256 == hashlib.sha256(data).hexdigest()


def test_a_hash_intake_made_is_kept_by_the_transcription_stage(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers.stt, "stt_provider", lambda name, settings: _HeardOnce())
    job, _ = _stored_recording(ctx, sha256="ab" * 32)

    run_stage(FakeTask("t-1", ctx), job.id, Stage.STT, transcribe_job)

    assert ctx.jobs.get(job.id).input.sha256 == "ab" * 32


KEY = "sk-proj-Zq8vN3tLw0Xb5Rk2Pd7Hs1Mf4Yc6Ja9E"


class _RetryingTask(FakeTask):
    class Retried(Exception):
        pass

    def retry(self, countdown: float) -> Exception:
        return self.Retried(countdown)


def _failing(error: ProviderError) -> Callable[[Job, WorkerContext], StageOutput]:
    def work(job: Job, ctx: WorkerContext) -> StageOutput:
        raise error

    return work


@pytest.mark.parametrize("code", ["auth_failed", "rate_limited"])
def test_a_vendor_message_quoting_our_api_key_is_stored_on_the_job_without_it(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    # What an OpenAI-compatible gateway answers a key it does not know.
    settings = ctx.settings.model_copy(update={"openai": OpenAISettings(api_key=KEY)})
    keyed = dataclasses.replace(ctx, settings=settings)
    monkeypatch.setattr(workers.stage, "get_context", lambda: keyed)
    job = transcribed_job(keyed)
    error = ProviderError(code, f"OpenAI answered 401: Invalid token. Received API Key = {KEY}")

    with pytest.raises((Ignore, _RetryingTask.Retried)):
        run_stage(_RetryingTask("t-1", keyed), job.id, Stage.LLM, _failing(error))

    after = keyed.jobs.get(job.id)
    stored = after.error if code == "auth_failed" else after.stages[Stage.LLM].error
    assert stored is not None
    assert "Received API Key = [redacted]" in stored.message
    assert KEY not in after.model_dump_json()
