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

from shared.audio import encode_pcm
from shared.audio.offline_voice import speak
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
    raw = json.loads(files("api.cli.demo").joinpath("voicemails.json").read_text())
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
    local = settings.local
    pcm, sample_rate = speak(
        sample.script,
        noise_scale=local.piper_noise_scale,
        noise_w_scale=local.piper_noise_w_scale,
        length_scale=sample.length_scale,
    )
    return encode_pcm(pcm, sample_rate, sample.format)
