"""Which provider each stage runs by default, the default voice and output format, and the
plugins imported at start-up that register providers of their own."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from shared.provider_catalog import load_plugins
from shared.settings.auth import Section, comma_list

OutputFormat = Literal["mp3", "ogg", "wav"]


class ProviderSettings(Section):
    stt: str = "local"
    llm: str = "local"
    tts: str = "local"
    # The default tts provider's voice: a job that chooses another provider is spoken by
    # that provider's own default (an OpenAI voice means nothing to ElevenLabs or Google).
    tts_voice: str | None = None
    output_format: OutputFormat = "mp3"
    plugins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Modules imported at start-up that register providers of their own.",
    )

    def voice_for(self, provider: str) -> str | None:
        """The deployment's voice for ``provider``'s jobs, None where it is not the default."""
        return self.tts_voice if provider == self.tts else None

    @field_validator("plugins", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        return comma_list(value)

    @field_validator("plugins")
    @classmethod
    def _importable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Imported here, before the checks below look their providers up.
        try:
            load_plugins(value)
        except ImportError as exc:
            raise ValueError(f"providers.plugins: cannot import {exc.name or exc}") from exc
        return value
