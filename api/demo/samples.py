"""The demo's sample voicemails: written scripts, spoken by the offline voice.

Samples are generated on first use and cached next to a hash of their script, so the
repository carries text, not audio, and an edited script is spoken anew.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from shared.settings import OutputFormat, Settings


@dataclass(frozen=True)
class Sample:
    id: str
    script: str
    callback_number: str
    format: OutputFormat
    length_scale: float

    def digest(self) -> str:
        text = f"{self.script}|{self.format}|{self.length_scale}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_samples() -> list[Sample]:
    raw = json.loads(files("api.demo").joinpath("voicemails.json").read_text())
    return [Sample(**item) for item in raw]


def materialize(samples: list[Sample], settings: Settings, folder: Path) -> list[Path]:
    """Write each sample's audio file into ``folder`` (reusing unchanged ones)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for sample in samples:
        path = folder / f"{sample.id}-{sample.digest()}.{sample.format}"
        if not path.exists():
            path.write_bytes(_speak(sample, settings))
        paths.append(path)
    return paths


def _speak(sample: Sample, settings: Settings) -> bytes:
    from workers.providers.tts.local import PiperTts

    local = settings.local.model_copy(update={"piper_length_scale": sample.length_scale})
    voice = PiperTts(settings.model_copy(update={"local": local}))
    return voice.synthesize(sample.script, None, sample.format).data
