"""The deployment's voice (VOICEPIPE_PROVIDERS__TTS_VOICE) is its default provider's: a job
that chooses another voice provider is spoken by that provider's own default voice."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import SecretStr

import workers.tts as tts
from shared.models import Job, JobOptions, Stage
from shared.settings import OpenAISettings, ProviderSettings, Settings
from tests.factories import wav_input_meta
from workers.providers.tts.local import PiperTts
from workers.providers.tts.openai import OpenAITts


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        providers=ProviderSettings(tts="openai", tts_voice="nova"),
        openai=OpenAISettings(api_key=SecretStr("sk-test")),
    )


def _job(provider: str | None) -> Job:
    options = JobOptions(stages=[Stage.TTS], tts_provider=provider)
    return Job(input=wav_input_meta(), options=options)


def _voices_asked(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[str | None]:
    asked: list[str | None] = []

    def synthesize(_self: object, _text: str, voice: str | None, _fmt: str) -> None:
        asked.append(voice)
        raise RuntimeError("asked")

    monkeypatch.setattr(cls, "synthesize", synthesize)
    monkeypatch.setattr(tts, "reply_text", lambda *_: "Thanks for calling.")
    return asked


def test_a_job_choosing_another_voice_provider_gets_that_providers_default_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _voices_asked(monkeypatch, PiperTts)
    ctx = SimpleNamespace(settings=_settings(tmp_path))

    with pytest.raises(RuntimeError):
        tts.synthesize_job(_job("local"), ctx)  # type: ignore[arg-type]

    assert asked == [None]  # not "nova", which the local voice refused as unknown_voice


def test_the_deployment_voice_speaks_the_jobs_of_its_default_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _voices_asked(monkeypatch, OpenAITts)
    ctx = SimpleNamespace(settings=_settings(tmp_path))

    for provider in (None, "openai"):
        with pytest.raises(RuntimeError):
            tts.synthesize_job(_job(provider), ctx)  # type: ignore[arg-type]

    assert asked == ["nova", "nova"]
