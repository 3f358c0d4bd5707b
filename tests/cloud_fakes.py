"""Every vendor fake at once, and the settings that point each cloud provider at its fake."""

from __future__ import annotations

from typing import Any

from tests.fakes.anthropic import AnthropicFake
from tests.fakes.elevenlabs import ElevenLabsFake
from tests.fakes.google_tts import GoogleTtsFake
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import FakeServer

ANTHROPIC_KEY = "sk-ant-test-key"
OPENAI_KEY = "sk-test"
ELEVENLABS_KEY = "el-test"


def anthropic_and_openai_settings(
    anthropic_url: str, openai_url: str, timeout_s: float
) -> dict[str, Any]:
    """The ``Settings(...)`` sections that point Claude and OpenAI clients at fakes."""
    return {
        "anthropic": {"api_key": ANTHROPIC_KEY, "base_url": anthropic_url, "timeout_s": timeout_s},
        "openai": {"api_key": OPENAI_KEY, "base_url": f"{openai_url}/v1", "timeout_s": timeout_s},
    }


class CloudFakes:
    """Anthropic, OpenAI, ElevenLabs and Google, each on its own localhost port."""

    def __init__(self, *, failure_rate: float = 0.0, **anthropic: Any) -> None:
        self.anthropic = AnthropicFake(
            api_key=ANTHROPIC_KEY, failure_rate=failure_rate, **anthropic
        )
        self.openai = OpenAIFake(api_key=OPENAI_KEY, failure_rate=failure_rate)
        self.elevenlabs = ElevenLabsFake(api_key=ELEVENLABS_KEY, failure_rate=failure_rate)
        self.google = GoogleTtsFake(failure_rate=failure_rate)

    @property
    def all(self) -> list[FakeServer]:
        return [self.anthropic, self.openai, self.elevenlabs, self.google]

    def start(self) -> CloudFakes:
        for fake in self.all:
            fake.start()
        return self

    def stop(self) -> None:
        for fake in self.all:
            fake.stop()

    def reset(self) -> None:
        for fake in self.all:
            fake.reset()

    def settings(self, *, timeout_s: float = 10.0) -> dict[str, Any]:
        """Keyword arguments for ``Settings(...)`` that use these fakes."""
        return {
            **anthropic_and_openai_settings(
                self.anthropic.base_url, self.openai.base_url, timeout_s
            ),
            "elevenlabs": {
                "api_key": ELEVENLABS_KEY,
                "base_url": self.elevenlabs.base_url,
                "timeout_s": timeout_s,
            },
            "google": {"enabled": True, "endpoint": self.google.base_url, "timeout_s": timeout_s},
        }
