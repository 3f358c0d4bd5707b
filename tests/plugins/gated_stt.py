"""A transcriber for tests that holds every call while its gate file exists.

A test makes a stage run as long as it likes (``VOICEPIPE_GATED__GATE``, a path) and lets it
finish by deleting the file. Enable it with
``VOICEPIPE_PROVIDERS__PLUGINS=tests.plugins.gated_stt``.
"""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from shared.models import Transcript
from shared.provider_catalog import ProviderSpec, Work, register
from workers.providers.base import AudioInput, SttProvider


class GatedSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gate: str | None = None


class GatedTranscriber(SttProvider):
    name = "gated"

    def __init__(self, config: GatedSettings) -> None:
        self.config = config

    def transcribe(self, audio: AudioInput) -> Transcript:
        gate = Path(self.config.gate) if self.config.gate else None
        while gate is not None and gate.exists():
            time.sleep(0.1)
        return Transcript(text="Please call me back.", language="en", provider=self.name)


GATED = ProviderSpec(
    "stt", "gated", f"{__name__}:GatedTranscriber", Work.CPU, sections=("gated",)
)  # fmt: skip
register(GATED, sections={"gated": GatedSettings})
