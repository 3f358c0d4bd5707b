"""What a hybrid transcription that did not end in a transcript still charges the job:
the tokens an engine was billed before every engine failed, and the audio seconds Whisper
billed for an answer a retry dropped (workers.providers.stt.hybrid, recorded by
workers.stage, the seconds priced as a discarded run's by shared.run_billing)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.errors import StageFailed
from shared.models import Billed, Job, JobOptions, JobStatus, Stage, Transcript, Usage
from shared.settings.providers import HybridSettings, OpenAISettings, RetrySettings
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
def hybrid(valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Makes the worker's context one whose hybrid runs the two stub ``engines``."""

    @contextmanager
    def of(*engines: type[SttProvider], **settings: Any) -> Iterator[WorkerContext]:
        made = local_worker_context(valkey.url, tmp_path)
        names = tuple(engine.name for engine in engines)
        update = {"hybrid": HybridSettings(engines=names), **settings}
        made = dataclasses.replace(made, settings=made.settings.model_copy(update=update))
        monkeypatch.setattr(context, "_context", made)
        with (
            registered(stub("stt", names[0], f"{__name__}:{engines[0].__name__}")),
            registered(stub("stt", names[1], f"{__name__}:{engines[1].__name__}")),
        ):
            yield made
        made.jobs.redis.close()

    return of


def _transcribed_by_hybrid(ctx: WorkerContext) -> Job:
    """A job of a 2 s recording, after the stt task ran it (and any retries) to its end."""
    data = encode_samples(tone(2.0), "wav", 16000)
    job = Job(
        options=JobOptions(stages=[Stage.STT], stt_provider="hybrid"),
        input=wav_input_meta(key="pending", size_bytes=len(data)),
    )
    job.input.key = job.object_key("input.wav")
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)
    stt.transcribe.apply(args=[job.id])
    return ctx.jobs.get(job.id)


def test_a_hybrid_whose_engines_all_failed_keeps_the_tokens_an_engine_was_billed(
    hybrid: Any,
) -> None:
    with hybrid(RefusedBilled, Broken) as ctx:
        after = _transcribed_by_hybrid(ctx)

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


def test_a_retried_hybrid_run_charges_the_seconds_whisper_billed_for_its_dropped_answer(
    hybrid: Any,
) -> None:
    retries = RetrySettings(max_attempts=2, base_delay_s=0.01, max_delay_s=0.01)
    openai = OpenAISettings(api_key="sk-test", stt_model="whisper-1")
    with hybrid(AnsweringWhisper, Unavailable, retries=retries, openai=openai) as ctx:
        after = _transcribed_by_hybrid(ctx)

    assert after.status == JobStatus.FAILED
    seconds = round(after.input.duration_s, 3)
    assert seconds > 0
    # Each of the two runs: Whisper answered, and was paid for it, before the retry dropped it.
    assert (
        after.stages[Stage.STT].billed
        == [Billed(engine="whisper", model="whisper-1", audio_s=seconds)] * 2
    )


class UnreadableWhisper(SttProvider):
    """Whisper answered 200 with a body we could not read: billed, as it says."""

    name = "whisper"

    def transcribe(self, audio: AudioInput) -> Transcript:
        unread = ProviderError("malformed_response", "OpenAI answered a body we cannot read")
        unread.charges = [
            Billed(engine="whisper", model="whisper-1", audio_s=audio.duration_s or 0)
        ]
        raise unread


def test_a_hybrid_whose_engines_all_failed_keeps_the_seconds_whisper_was_billed_once(
    hybrid: Any,
) -> None:
    openai = OpenAISettings(api_key="sk-test", stt_model="whisper-1")
    with hybrid(UnreadableWhisper, Broken, openai=openai) as ctx:
        after = _transcribed_by_hybrid(ctx)

    assert after.error is not None
    assert after.error.code == "stt.all_engines_failed"
    seconds = round(after.input.duration_s, 3)
    assert after.stages[Stage.STT].billed == [
        Billed(engine="whisper", model="whisper-1", audio_s=seconds)
    ]
    charged = [line for line in job_usage(after, ctx.settings).lines if line.meter == "audio_s"]
    assert [(line.engine, line.quantity) for line in charged] == [("whisper", seconds)]
