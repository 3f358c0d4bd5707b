"""A hybrid whose Whisper answered silent audio without calling OpenAI: no Whisper seconds
are charged for it, in the ledger or for a run the job did not take."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from shared.metered_details import metered_results
from shared.models import JobResults, Stage, Transcript
from shared.run_billing import run_billed
from shared.settings import Settings
from shared.usage import job_usage
from tests.provider_stubs import registered, stub
from tests.usage_factories import finished_job
from workers.providers import registry
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.stt.hybrid import HybridStt

SILENCE = AudioInput(
    data=b"", media_type="audio/wav", extension="wav", pcm16k=np.zeros(16000, dtype=np.int16)
)
# Nothing listens here: a call to it would fail the test rather than pass unnoticed.
OPENAI = {"api_key": "sk-test", "base_url": "http://127.0.0.1:9/v1", "timeout_s": 1}


class QuietEngine(SttProvider):
    name = "stub_quiet"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text="", provider=self.name)


class UnavailableEngine(SttProvider):
    name = "stub_unavailable"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ProviderError("provider_unavailable", "down for a moment", status=503)


@pytest.fixture
def engines() -> Iterator[None]:
    with (
        registered(stub("stt", "stub_quiet", f"{__name__}:QuietEngine")),
        registered(stub("stt", "stub_unavailable", f"{__name__}:UnavailableEngine")),
    ):
        yield


def _hybrid(*engines: str) -> HybridStt:
    settings = Settings(openai=OPENAI, hybrid={"engines": engines})
    provider = registry.build(Stage.STT, "hybrid", settings)
    assert isinstance(provider, HybridStt)
    return provider


def _audio_engines(details: dict[str, Any]) -> list[str]:
    job = finished_job(audio_s=1.0, providers=("hybrid", "local", "local"), transcription=details)
    usage = job_usage(job, Settings(openai=OPENAI))
    return [line.engine for line in usage.lines if line.meter == "audio_s"]


def test_a_hybrids_whisper_that_skipped_silent_audio_is_charged_no_seconds(engines: None) -> None:
    details = _hybrid("whisper", "stub_quiet").transcribe(SILENCE).details

    assert details["engines_used"] == ["whisper", "stub_quiet"]
    assert _audio_engines(details) == ["stub_quiet"]
    kept = metered_results(JobResults(transcription=details)).transcription
    assert _audio_engines(kept) == ["stub_quiet"]  # and so after retention
    job = finished_job(audio_s=1.0)
    billed = run_billed(job, Stage.STT, "hybrid", JobResults(transcription=details), Settings())
    assert [b.engine for b in billed if b.audio_s] == []


def test_a_retried_hybrid_charges_no_seconds_for_a_whisper_that_skipped_silent_audio(
    engines: None,
) -> None:
    with pytest.raises(ProviderError) as caught:
        _hybrid("stub_unavailable", "whisper").transcribe(SILENCE)

    dropped = JobResults(transcription=caught.value.dropped)
    billed = run_billed(finished_job(audio_s=1.0), Stage.STT, "hybrid", dropped, Settings())
    assert [b.engine for b in billed if b.audio_s] == []


def test_whisper_standing_in_for_claude_on_silent_audio_is_charged_no_seconds() -> None:
    details = {
        "engine": "whisper",
        "fallback": {"from": "claude", "to": "whisper", "reason": "no audio"},
        "engine_details": {"engine": "whisper", "model": "whisper-1", "skipped": "silent audio"},
    }
    job = finished_job(audio_s=1.0, providers=("claude", "local", "local"), transcription=details)

    assert [
        line.engine for line in job_usage(job, Settings()).lines if line.meter == "audio_s"
    ] == []
    kept = metered_results(JobResults(transcription=details))
    assert run_billed(job, Stage.STT, "claude", kept, Settings()) == []
