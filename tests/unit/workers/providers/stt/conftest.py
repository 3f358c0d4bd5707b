"""Fixtures of the Whisper API tests: the OpenAI fake (one a module, reset for each test) and a
spoken sentence to transcribe. Test modules with fixtures of the same names override these."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.audio import decode_pcm16k
from tests.fakes.openai import OpenAIFake
from tests.unit.workers.providers.stt.whisper_api_helpers import SENTENCE
from workers.providers.base import AudioInput
from workers.providers.tts.local import PiperTts


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAIFake]:
    with OpenAIFake() as fake:
        assert isinstance(fake, OpenAIFake)
        yield fake


@pytest.fixture
def fake(server: OpenAIFake) -> OpenAIFake:
    # A chosen transcript skips the offline decode; the round-trip test turns it off.
    server.reset()
    server.transcript_text = "call me back"
    server.invented_text = None
    return server


@pytest.fixture(scope="module")
def spoken() -> AudioInput:
    data = PiperTts().synthesize(SENTENCE, None, "wav").data
    return AudioInput(data, "audio/wav", "wav", decode_pcm16k(data))
