"""What a failed stage run read is freed when the run ends, not at some later garbage
collection (workers.stage)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.errors import StageFailed
from shared.models import Job, JobOptions, Stage
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.worker_context import local_worker_context
from workers import context, stt
from workers.context import WorkerContext
from workers.stage_output import StageOutput


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    made = local_worker_context(valkey.url, tmp_path)
    monkeypatch.setattr(context, "_context", made)
    yield made
    made.jobs.redis.close()


@pytest.mark.parametrize("code", ["empty_media", "rate_limited"], ids=["failed", "retried"])
def test_the_samples_a_failed_run_decoded_are_freed_as_it_ends(
    ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    decoded: list[weakref.ref[np.ndarray]] = []

    def transcribe_job(job: Job, ctx: WorkerContext) -> StageOutput:
        samples = np.zeros(1_000_000, dtype=np.int16)  # what the run read and decoded
        decoded.append(weakref.ref(samples))
        raise StageFailed(code, "nothing to hear", retryable=code == "rate_limited")

    monkeypatch.setattr(stt, "transcribe_job", transcribe_job)
    job = Job(options=JobOptions(stages=[Stage.STT]), input=wav_input_meta(key="in/1.wav"))
    ctx.jobs.create(job)

    gc.disable()  # only references count: a full collection is what never came
    try:
        stt.transcribe.apply(args=[job.id])
        assert decoded
        assert decoded[0]() is None
    finally:
        gc.enable()
