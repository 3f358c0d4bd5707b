"""A hybrid transcription retried for one engine's retryable error still charges the job the
audio seconds Whisper billed for the run it dropped (workers.providers.stt.hybrid, recorded
by workers.stage, priced as a discarded run's by shared.run_billing)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.models import Billed, Job, JobOptions, JobStatus, Stage, Transcript
from shared.settings.providers import HybridSettings, OpenAISettings, RetrySettings
from tests.audio_factory import encode_samples, tone
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.provider_stubs import registered, stub
from tests.worker_context import local_worker_context
from workers import context, stt
from workers.context import WorkerContext
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError


class AnsweringWhisper(SttProvider):
    name = "whisper"

    def transcribe(self, audio: AudioInput) -> Transcript:
        details = {"engine": "whisper", "model": "whisper-1"}
        return Transcript(text="call me back", language="en", provider=self.name, details=details)


class Unavailable(SttProvider):
    name = "stub_unavailable"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ProviderError("provider_unavailable", "503 from the vendor")


@pytest.fixture
def ctx(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    made = local_worker_context(valkey.url, tmp_path)
    settings = made.settings.model_copy(
        update={
            "hybrid": HybridSettings(engines=("whisper", "stub_unavailable")),
            "openai": OpenAISettings(api_key="sk-test", stt_model="whisper-1"),
            "retries": RetrySettings(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01),
        }
    )
    made = dataclasses.replace(made, settings=settings)
    monkeypatch.setattr(context, "_context", made)
    with (
        registered(stub("stt", "whisper", f"{__name__}:AnsweringWhisper")),
        registered(stub("stt", "stub_unavailable", f"{__name__}:Unavailable")),
    ):
        yield made
    made.jobs.redis.close()


def test_a_retried_hybrid_run_charges_the_seconds_whisper_billed_for_its_dropped_answer(
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
    seconds = round(after.input.duration_s, 3)
    assert seconds > 0
    # Each of the two runs: Whisper answered, and was paid for it, before the retry dropped it.
    assert (
        after.stages[Stage.STT].billed
        == [Billed(engine="whisper", model="whisper-1", audio_s=seconds)] * 2
    )
