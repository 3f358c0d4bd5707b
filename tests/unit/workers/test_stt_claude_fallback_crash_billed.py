"""What Claude's refusal was billed stays on the job when its fallback engine then breaks
with an error of its own runtime (not a StageFailed): the stage still fails as internal, as
any unexpected error does (named by its kind), and the tokens go with it
(workers.providers.stt.claude, recorded by workers.stage; as a hybrid's engine,
workers.providers.stt.hybrid)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import workers.app  # noqa: F401  (the Celery app the tasks are bound to)
from shared.models import Job, JobOptions, JobStatus, Stage, Transcript
from shared.settings.providers import AnthropicSettings, ClaudeSttSettings, HybridSettings
from shared.usage import job_usage
from tests.audio_factory import encode_samples, tone
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.provider_stubs import registered, stub
from tests.worker_context import local_worker_context
from workers import context, stt
from workers.context import WorkerContext
from workers.providers import registry
from workers.providers.anthropic_client import forget_verified_models
from workers.providers.base import AudioInput, SttProvider


class CrashingLocal(SttProvider):
    """The offline engine whose runtime breaks on this recording (an ONNX Runtime error)."""

    name = "local"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code")


class BrokenOther(SttProvider):
    name = "stub_broken_other"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ValueError("the other engine's runtime broke too")


@pytest.fixture
def refusing_claude(
    valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    """A worker whose Claude (a gateway that takes audio) refuses the recording, its
    fallback being the crashing offline engine."""
    forget_verified_models()
    with (
        AnthropicFake(accept_audio=True) as gateway,
        registered(stub("stt", "local", f"{__name__}:CrashingLocal")),
        registered(stub("stt", "stub_broken_other", f"{__name__}:BrokenOther")),
    ):
        gateway.refusing = "general_harms"
        made = local_worker_context(valkey.url, tmp_path)
        update = {
            "anthropic": AnthropicSettings(
                api_key=API_KEY, base_url=gateway.base_url, verify_model=False
            ),
            "claude_stt": ClaudeSttSettings(fallback="local"),
            "hybrid": HybridSettings(engines=("claude", "stub_broken_other")),
        }
        made = dataclasses.replace(made, settings=made.settings.model_copy(update=update))
        monkeypatch.setattr(context, "_context", made)
        yield made
        made.jobs.redis.close()
    registry.clear_instances()


def _transcribed(ctx: WorkerContext, provider: str) -> Job:
    data = encode_samples(tone(2.0), "wav", 16000)
    job = Job(
        options=JobOptions(stages=[Stage.STT], stt_provider=provider),
        input=wav_input_meta(key="pending", size_bytes=len(data)),
    )
    job.input.key = job.object_key("input.wav")
    ctx.storage.put(job.input.key, data)
    ctx.jobs.create(job)
    stt.transcribe.apply(args=[job.id])
    return ctx.jobs.get(job.id)


@pytest.mark.parametrize("provider", ["claude", "hybrid"])
def test_the_tokens_of_a_refusal_stay_on_the_job_when_the_fallback_engine_crashes(
    refusing_claude: WorkerContext, provider: str
) -> None:
    after = _transcribed(refusing_claude, provider)

    # The crash is still the stage's own unexpected failure, told by its kind (not the
    # refusal before it), with a reference to its log line; never by its text, which an
    # engine's runtime may fill with what it heard (workers.stage).
    assert after.status == JobStatus.FAILED
    assert after.error is not None
    assert after.error.code == "stt.internal"
    assert "unexpected RuntimeError" in after.error.message
    assert "reference err_" in after.error.message
    assert "RUNTIME_EXCEPTION" not in after.error.message
    (billed,) = after.stages[Stage.STT].billed
    assert billed.engine == "claude"
    assert billed.input_tokens > 0
    charged = {
        (line.engine, line.meter): line.quantity
        for line in job_usage(after, refusing_claude.settings).lines
        if line.stage == Stage.STT
    }
    assert charged[("claude", "input_tokens")] == billed.input_tokens
