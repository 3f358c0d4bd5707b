"""Claude as one of a hybrid's two engines, refusing the audio: its fallback heard the
recording, and the usage ledger charges the fallback, not Claude."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from shared.audio import encode_pcm
from shared.metered_details import metered_results
from shared.models import Stage, Transcript
from shared.settings import Settings
from shared.usage import job_usage
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.provider_stubs import registered, stub
from tests.usage_factories import finished_job
from workers.providers import registry
from workers.providers.anthropic_client import forget_verified_models
from workers.providers.base import AudioInput, SttProvider
from workers.providers.errors import ProviderError
from workers.providers.stt.hybrid import HybridStt

HEARD = "please call me back about the invoice"
RATE = 16_000


class StubWhisper(SttProvider):
    name = "whisper"

    def transcribe(self, audio: AudioInput) -> Transcript:
        details = {"engine": "whisper", "model": "whisper-large-v3"}
        return Transcript(text=HEARD, language="en", provider=self.name, details=details)


class FailingWhisper(SttProvider):
    name = "whisper"

    def transcribe(self, audio: AudioInput) -> Transcript:
        raise ProviderError("rejected_media", "whisper cannot read this recording")


class StubOther(SttProvider):
    name = "stub_other"

    def transcribe(self, audio: AudioInput) -> Transcript:
        return Transcript(text=HEARD, language="en", provider=self.name)


@pytest.fixture
def fake() -> Iterator[AnthropicFake]:
    forget_verified_models()
    registry.clear_instances()
    with AnthropicFake() as server:  # refuses audio blocks, as the public API does
        yield server
    registry.clear_instances()


def _audio() -> AudioInput:
    tone = (3000 * np.sin(2 * np.pi * 220 * np.arange(RATE) / RATE)).astype(np.int16)
    return AudioInput(
        data=encode_pcm(tone, RATE, "wav"), media_type="audio/wav", extension="wav", pcm16k=tone
    )


def _hybrid_details(fake: AnthropicFake, settings: Settings) -> dict[str, object]:
    with (
        registered(stub("stt", "whisper", f"{__name__}:StubWhisper")),
        registered(stub("stt", "stub_other", f"{__name__}:StubOther")),
    ):
        hybrid = registry.build(Stage.STT, "hybrid", settings)
        assert isinstance(hybrid, HybridStt)
        return dict(hybrid.transcribe(_audio()).details)


def test_a_hybrids_claude_that_refused_the_audio_has_its_fallback_charged(
    fake: AnthropicFake,
) -> None:
    settings = Settings(
        anthropic={"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False},
        openai={"api_key": "sk-test", "stt_model": "whisper-1"},
        claude_stt={"fallback": "whisper"},
        hybrid={"engines": ("claude", "stub_other")},
    )
    details = _hybrid_details(fake, settings)
    job = finished_job(audio_s=120.0, providers=("hybrid", "local", "local"))
    job.results.transcription = details

    usage = job_usage(job, settings)
    kept = job.model_copy(update={"results": metered_results(job.results)})

    assert details["engine_fallbacks"] == {"claude": {"to": "whisper", "model": "whisper-large-v3"}}
    audio = [
        (line.engine, line.model, line.quantity) for line in usage.lines if line.meter == "audio_s"
    ]
    # Before, a line for claude (which heard nothing and cost nothing) and none for whisper.
    assert audio == [("whisper", "whisper-large-v3", 120.0), ("stub_other", None, 120.0)]
    whisper = next(line for line in usage.lines if line.engine == "whisper")
    assert whisper.cost == pytest.approx(2 * 0.006)  # two minutes at the table's price
    assert not [line for line in usage.lines if line.engine == "claude"]
    assert job_usage(kept, settings).totals == usage.totals, "the same after retention"


def test_a_hybrids_claude_that_refused_the_audio_keeps_its_tokens_when_its_fallback_fails() -> None:
    forget_verified_models()
    registry.clear_instances()
    with (
        AnthropicFake(accept_audio=True) as gateway,
        registered(stub("stt", "whisper", f"{__name__}:FailingWhisper")),
        registered(stub("stt", "stub_other", f"{__name__}:StubOther")),
    ):
        gateway.refusing = "general_harms"
        settings = Settings(
            anthropic={"api_key": API_KEY, "base_url": gateway.base_url, "verify_model": False},
            openai={"api_key": "sk-test", "stt_model": "whisper-1"},
            claude_stt={"fallback": "whisper"},
            hybrid={"engines": ("claude", "stub_other")},
        )
        hybrid = registry.build(Stage.STT, "hybrid", settings)
        assert isinstance(hybrid, HybridStt)
        details = dict(hybrid.transcribe(_audio()).details)
    registry.clear_instances()

    assert "rejected_media" in details["engines_skipped"]["claude"]
    # Claude's refusal was billed though whisper, its fallback, then failed: charged as Claude's.
    spent = details["engine_usage"]["claude"]
    assert spent["input_tokens"] > 0
