"""A reply provider from outside the product: one module and one registry line.

Everything VoicePipe needs to know about it is in its line at the bottom: its
settings section (read from ``VOICEPIPE_POLITE__*``), the key it cannot run without, and
that its work waits on a network (so its pool gets threads). Enable it with
``VOICEPIPE_PROVIDERS__PLUGINS=tests.plugins.polite_reply``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr

from shared.models import Reply, Transcript, Triage
from shared.provider_catalog import ProviderSpec, Work, register
from workers.providers.base import LlmProvider, ReplyContext


class PoliteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = None
    greeting: str = "Thank you for your message"


class PoliteResponder(LlmProvider):
    name = "polite"

    def __init__(self, config: PoliteSettings) -> None:
        self.config = config

    def respond(self, transcript: Transcript, context: ReplyContext) -> Reply:
        words = transcript.text.split()
        summary = " ".join(words[:8])
        text = f"{self.config.greeting}. We heard: {summary}."
        return Reply(text=text, provider=self.name, triage=Triage(summary=summary))


POLITE = ProviderSpec(
    "llm", "polite", f"{__name__}:PoliteResponder", Work.IO,
    sections=("polite",), needs=("polite.api_key",),
)  # fmt: skip
register(POLITE, sections={"polite": PoliteSettings})
