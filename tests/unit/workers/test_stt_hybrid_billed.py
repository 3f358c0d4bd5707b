"""A hybrid transcription whose every engine failed still charges the job what an engine
was billed before it failed (workers.providers.stt.hybrid, recorded by workers.stage)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.errors import StageFailed
from shared.models import Billed, Job, JobOptions, JobStatus, Stage, Transcript, Usage
from shared.settings.providers import HybridSettings
from shared.usage import job_usage
from tests.audio_factory import encode_samples, tone
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.provider_stubs import registered, stub
from tests.worker_context import local_worker_context
from workers import context, stt
from workers.context import WorkerContext
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError

SPENT = Usage(input_tokens=900, output_tokens=120, model="claude-sonnet-4-6")


class RefusedBilled(SttProvider):
    """Claude as a hybrid's engine: it answered with a refusal, and was billed for it."""

    name = "stub_refused_billed"

    def transcribe(self, audio: AudioInput) -> Transcript:
        refused = ProviderError("content_refused", "the model declined to transcribe")
        refused.billed = SPENT
        raise refused


class Broken(SttProvider):
    name = "stub_broken"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise StageFailed("rejected_media", "the engine cannot read this recording")


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    made = local_worker_context(valkey.url, tmp_path)
    engines = ("stub_refused_billed", "stub_broken")
    settings = made.settings.model_copy(update={"hybrid": HybridSettings(engines=engines)})
    made = dataclasses.replace(made, settings=settings)
    monkeypatch.setattr(context, "_context", made)
    with (
        registered(stub("stt", "stub_refused_billed", f"{__name__}:RefusedBilled")),
        registered(stub("stt", "stub_broken", f"{__name__}:Broken")),
    ):
        yield made
    made.jobs.redis.close()


def test_a_hybrid_whose_engines_all_failed_keeps_the_tokens_an_engine_was_billed(
    ctx: WorkerContext,
) -> None:
    data = encode_samples(tone(2.0), "wav", 16000)
    job = Job(
        options=JobOptions(stages=[Stage.STT], stt_provider="hybrid"),
        input=wav_input_meta(key="pending", size_bytes=len(data)),
    )
    job.input.key = job.object_key("input.wav")
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)

    stt.transcribe.apply(args=[job.id])

    after = ctx.jobs.get(job.id)
    assert after.status == JobStatus.FAILED
    assert after.error is not None
    assert after.error.code == "stt.all_engines_failed"
    assert after.stages[Stage.STT].billed == [
        Billed(engine="stub_refused_billed", **SPENT.model_dump())
    ]
    charged = {
        (line.engine, line.meter): line.quantity
        for line in job_usage(after, ctx.settings).lines
        if line.stage == Stage.STT
    }
    assert charged == {
        ("stub_refused_billed", "input_tokens"): 900,
        ("stub_refused_billed", "output_tokens"): 120,
    }
