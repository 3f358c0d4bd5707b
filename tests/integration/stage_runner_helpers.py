"""What the direct stage-runner tests share: a stand-in for a bound Celery task whose queued
messages are read back from the broker, and a worker context of a test's own."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

import workers.stage
from shared.celery_app import create_celery
from shared.models import Job, JobOptions, JobStatus, Stage, StageRecord, StageStatus
from shared.queue_depth import priority_lists
from tests.factories import wav_input_meta
from tests.worker_context import local_worker_context
from workers.context import WorkerContext

# Every list of each stage's queue: a batch job's messages wait on its lower-priority list.
_STAGE_LISTS = [(stage.value, name) for stage in Stage for name in priority_lists(stage.value)]


class FakeTask:
    """Stands in for a bound Celery task: the delivery's id and the real app, whose messages
    this run queued are read back from the broker's lists."""

    def __init__(self, task_id: str, ctx: WorkerContext) -> None:
        self.request = SimpleNamespace(id=task_id)
        self.app = create_celery(ctx.settings)
        self._redis = ctx.jobs.redis
        self._before = {name: self._redis.llen(name) for _, name in _STAGE_LISTS}

    @property
    def sent(self) -> list[tuple[str, list[str], str]]:
        """(task, args, queue) of each message queued since this task was made."""
        sent = []
        for queue, name in _STAGE_LISTS:
            new = self._redis.llen(name) - self._before[name]
            for raw in self._redis.lrange(name, 0, new - 1) if new > 0 else []:
                message = json.loads(raw)
                args, _, _ = json.loads(base64.b64decode(message["body"]))
                sent.append((message["headers"]["task"], args, queue))
        return sent


@contextmanager
def direct_context(
    broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    """A worker context of its own, handed to the runner in place of the cached one."""
    context = local_worker_context(broker_url, tmp_path)
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
