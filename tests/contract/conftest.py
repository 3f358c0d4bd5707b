"""Every provider of a stage, built ready to call: cloud ones against their local fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.models import Stage
from shared.provider_catalog import provider_names
from shared.settings import Settings
from tests.cloud_fakes import CloudFakes
from workers.providers.base import LlmProvider, SttProvider, TtsProvider
from workers.providers.registry import build


@pytest.fixture(scope="session")
def fakes() -> Iterator[CloudFakes]:
    running = CloudFakes().start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def cloud_settings(fakes: CloudFakes) -> Settings:
    return Settings(**fakes.settings())


def _build(stage: Stage, name: str, settings: Settings) -> object:
    return build(stage, name, settings)


@pytest.fixture(params=provider_names(Stage.STT))
def stt(request: pytest.FixtureRequest, cloud_settings: Settings) -> SttProvider:
    provider = _build(Stage.STT, request.param, cloud_settings)
    assert isinstance(provider, SttProvider)
    return provider


@pytest.fixture(params=provider_names(Stage.LLM))
def llm(request: pytest.FixtureRequest, cloud_settings: Settings) -> LlmProvider:
    provider = _build(Stage.LLM, request.param, cloud_settings)
    assert isinstance(provider, LlmProvider)
    return provider


@pytest.fixture(params=provider_names(Stage.TTS))
def tts(request: pytest.FixtureRequest, cloud_settings: Settings) -> TtsProvider:
    provider = _build(Stage.TTS, request.param, cloud_settings)
    assert isinstance(provider, TtsProvider)
    return provider


@pytest.fixture(scope="session")
def spoken() -> tuple[str, bytes]:
    from workers.providers.tts.local import PiperTts

    text = "Please call me back about the delivery tomorrow morning."
    return text, PiperTts().synthesize(text, None, "wav").data
