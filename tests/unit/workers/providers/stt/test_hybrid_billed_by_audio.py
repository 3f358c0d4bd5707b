"""A hybrid that kept one engine's transcript charges what the other, failed, engine was
billed as it was billed: tokens by the token, and audio seconds (or characters) by the
engine and model that billed them, not reduced to tokens (workers.providers.stt.hybrid,
read by shared.usage, kept by shared.metered_details, priced for a discarded run by
shared.run_billing)."""

from __future__ import annotations

import numpy as np
import pytest

from shared.errors import StageFailed
from shared.metered_details import metered_results
from shared.models import Billed, JobResults, Stage, Transcript
from shared.run_billing import run_billed
from shared.settings import Settings
from shared.usage import job_usage
from tests.provider_stubs import registered, stub
from tests.usage_factories import finished_job
from workers.providers import registry
from workers.providers.base import AudioInput, SttProvider
from workers.providers.stt.hybrid import HybridStt

REFUSED = Billed(engine="claude", model="claude-sonnet-4-6", input_tokens=900, output_tokens=30)
# What Whisper, Claude's fallback, billed for an answer that could not be used.
HEARD_UNUSABLE = Billed(engine="whisper", model="whisper-1", audio_s=42.0)


class Answering(SttProvider):
    name = "stub_answering"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text="call me back", language="en", provider=self.name)


class FailedAfterBilling(SttProvider):
    name = "stub_failed_billed"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise StageFailed(
            "malformed_response", "an answer we cannot read", charges=[REFUSED, HEARD_UNUSABLE]
        )


AUDIO = AudioInput(
    data=b"", media_type="audio/wav", extension="wav", pcm16k=np.zeros(16000, dtype=np.int16)
)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        openai={"api_key": "sk-test", "stt_model": "whisper-1"},
        hybrid={"engines": ("stub_answering", "stub_failed_billed")},
    )


def _details(settings: Settings) -> dict[str, object]:
    with (
        registered(stub("stt", "stub_answering", f"{__name__}:Answering")),
        registered(stub("stt", "stub_failed_billed", f"{__name__}:FailedAfterBilling")),
    ):
        hybrid = registry.build(Stage.STT, "hybrid", settings)
        assert isinstance(hybrid, HybridStt)
        return dict(hybrid.transcribe(AUDIO).details)


def test_a_failed_engines_audio_seconds_are_charged_beside_the_kept_transcript(
    settings: Settings,
) -> None:
    details = _details(settings)
    job = finished_job(audio_s=120.0, providers=("hybrid", "local", "local"))
    job.results.transcription = details

    lines = {
        (line.engine, line.model, line.meter): line.quantity
        for line in job_usage(job, settings).lines
        if line.stage == Stage.STT and line.meter != "cpu_s"
    }
    kept = job.model_copy(update={"results": metered_results(job.results)})

    assert lines == {
        ("stub_answering", None, "audio_s"): 120.0,
        ("claude", "claude-sonnet-4-6", "input_tokens"): 900,
        ("claude", "claude-sonnet-4-6", "output_tokens"): 30,
        # Before, nothing: the seconds Whisper billed were reduced to its (no) tokens.
        ("whisper", "whisper-1", "audio_s"): 42.0,
    }
    assert job_usage(kept, settings).totals == job_usage(job, settings).totals


def test_a_discarded_hybrid_run_is_billed_a_failed_engines_audio_seconds(
    settings: Settings,
) -> None:
    details = _details(settings)
    job = finished_job(audio_s=120.0, providers=("hybrid", "local", "local"))

    spent = run_billed(job, Stage.STT, "hybrid", JobResults(transcription=details), settings)

    assert HEARD_UNUSABLE in spent
