"""Every provider of a stage, built ready to call (cloud ones against their fakes)."""

from __future__ import annotations

import pytest

from shared.models import Stage
from shared.settings import Settings
from workers.providers.base import LlmProvider, SttProvider, TtsProvider
from workers.providers.registry import load_class, provider_names


def _build(stage: Stage, name: str) -> object:
    return load_class(stage, name)(Settings())


@pytest.fixture(scope="module", params=provider_names(Stage.STT))
def stt(request: pytest.FixtureRequest) -> SttProvider:
    provider = _build(Stage.STT, request.param)
    assert isinstance(provider, SttProvider)
    return provider


@pytest.fixture(scope="module", params=provider_names(Stage.LLM))
def llm(request: pytest.FixtureRequest) -> LlmProvider:
    provider = _build(Stage.LLM, request.param)
    assert isinstance(provider, LlmProvider)
    return provider


@pytest.fixture(scope="module", params=provider_names(Stage.TTS))
def tts(request: pytest.FixtureRequest) -> TtsProvider:
    provider = _build(Stage.TTS, request.param)
    assert isinstance(provider, TtsProvider)
    return provider


@pytest.fixture(scope="session")
def spoken() -> tuple[str, bytes]:
    from workers.providers.tts.local import PiperTts

    text = "Please call me back about the delivery tomorrow morning."
    return text, PiperTts(Settings()).synthesize(text, None, "wav").data
