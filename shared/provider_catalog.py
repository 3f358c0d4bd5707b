"""The providers of each stage: the one table everything else is derived from.

Each line says what a provider is called, where its implementation lives, which settings
sections it receives (and nothing else), what must be set for it to run, which optional
install it needs and whether its work is CPU- or I/O-bound. From this table come the
worker pool defaults and the start-up checks (``shared.settings``), the names the API
accepts, the workers' registry (``workers.providers.registry``, which loads an
implementation only when first asked) and the README's provider table.

The table lives in ``shared/`` because the API reads it too, and the API imports no
worker code: implementations are named by string and loaded by workers only. A plugin
(or a test) adds a provider with one :func:`register` call in its own module, naming it
in ``VOICEPIPE_PROVIDERS__PLUGINS`` so that every process imports it at start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from shared.stages import STAGE_ORDER

STAGES: tuple[str, ...] = tuple(stage.value for stage in STAGE_ORDER)


class Work(StrEnum):
    # Offline engines: one process per core does the work.
    CPU = "cpu"
    # Cloud calls mostly wait on the network: many threads keep many requests in flight.
    IO = "io"


@dataclass(frozen=True)
class ProviderSpec:
    stage: str
    name: str
    # "module:Class", loaded by workers only.
    implementation: str
    work: Work
    # Settings sections the provider is built from, in its constructor's order.
    sections: tuple[str, ...] = ()
    # "section.field" entries that must be set (truthy) before the provider can run.
    needs: tuple[str, ...] = ()
    # The pip extra installing ``modules``: a missing module fails at start-up, not a job.
    extra: str | None = None
    modules: tuple[str, ...] = ()
    summary: str = ""

    def missing_modules(self) -> list[str]:
        return [m for m in self.modules if not _installed(m)]

    def install_hint(self) -> str | None:
        """Why this provider cannot be imported here, with the command that fixes it."""
        missing = self.missing_modules()
        if not missing:
            return None
        command = f"pip install 'voicepipe[{self.extra}]'" if self.extra else "pip install"
        return (
            f"the {self.stage} provider {self.name!r} needs {', '.join(missing)}, "
            f"which is not installed: {command}"
        )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False  # a parent package of a dotted name is missing


def variable(need: str) -> str:
    """The environment variable behind a "section.field" need."""
    section, _, field = need.partition(".")
    return f"VOICEPIPE_{section.upper()}__{field.upper()}"


BUILT_IN: tuple[ProviderSpec, ...] = (
    ProviderSpec(
        "stt", "local", "workers.providers.stt.whisper_offline:WhisperOfflineStt", Work.CPU,
        sections=("local", "review"),
        summary="Offline: Whisper base on CTranslate2, its model shipped in wheels",
    ),
    ProviderSpec(
        "stt", "pocketsphinx", "workers.providers.stt.pocketsphinx_stt:PocketsphinxStt",
        Work.CPU, summary="Offline: PocketSphinx, shipped in its wheel (smaller, less accurate)",
    ),
    ProviderSpec(
        "stt", "moonshine", "workers.providers.stt.moonshine_offline:MoonshineOfflineStt",
        Work.CPU, summary="Offline: Moonshine base, shipped in its wheel (faster, no word times)",
    ),
    ProviderSpec(
        "stt", "whisper", "workers.providers.stt.whisper:WhisperStt", Work.IO,
        sections=("openai",), needs=("openai.api_key",), extra="cloud", modules=("openai",),
        summary="OpenAI Whisper, or any OpenAI-compatible endpoint",
    ),
    ProviderSpec(
        "stt", "claude", "workers.providers.stt.claude:ClaudeStt", Work.IO,
        sections=("anthropic", "claude_stt"), needs=("anthropic.api_key",), extra="cloud",
        modules=("anthropic",),
        summary="Claude with audio input; another engine when the endpoint refuses audio",
    ),
    ProviderSpec(
        "stt", "hybrid", "workers.providers.stt.hybrid:HybridStt", Work.CPU,
        sections=("hybrid", "anthropic"),
        summary="Two engines compared; Claude reconciles them when they disagree",
    ),
    ProviderSpec(
        "llm", "local", "workers.providers.llm.local:TriageResponder", Work.CPU,
        summary="Offline triage and a templated reply",
    ),
    ProviderSpec(
        "llm", "claude", "workers.providers.llm.claude:ClaudeResponder", Work.IO,
        sections=("anthropic",), needs=("anthropic.api_key",), extra="cloud",
        modules=("anthropic",), summary="Claude writes the reply and the triage",
    ),
    ProviderSpec(
        "tts", "local", "workers.providers.tts.local:PiperTts", Work.CPU,
        sections=("local",), summary="Offline: Piper, with a voice shipped in its wheel",
    ),
    ProviderSpec(
        "tts", "openai", "workers.providers.tts.openai:OpenAITts", Work.IO,
        sections=("openai",), needs=("openai.api_key",), extra="cloud", modules=("openai",),
        summary="OpenAI speech, or any OpenAI-compatible endpoint",
    ),
    ProviderSpec(
        "tts", "elevenlabs", "workers.providers.tts.elevenlabs:ElevenLabsTts", Work.IO,
        sections=("elevenlabs",), needs=("elevenlabs.api_key",),
        summary="ElevenLabs over its HTTP API",
    ),
    ProviderSpec(
        "tts", "google", "workers.providers.tts.google:GoogleTts", Work.IO,
        sections=("google",), needs=("google.enabled",), extra="cloud",
        modules=("google.cloud.texttospeech",), summary="Google Cloud Text-to-Speech",
    ),
)  # fmt: skip

_specs: dict[str, dict[str, ProviderSpec]] = {stage: {} for stage in STAGES}
_sections: dict[str, type[BaseModel]] = {}
_lock = threading.Lock()


def register(spec: ProviderSpec, sections: dict[str, type[BaseModel]] | None = None) -> None:
    """Add a provider (a plugin's or a test's), with any settings sections of its own.

    A section named here is read from ``VOICEPIPE_<SECTION>__<FIELD>`` like a built-in one.
    """
    if spec.stage not in STAGES:
        raise ValueError(f"unknown stage {spec.stage!r}; stages: {', '.join(STAGES)}")
    with _lock:
        _specs[spec.stage][spec.name] = spec
        _sections.update(sections or {})


def unregister(stage: str, name: str) -> None:
    """Remove a provider, and any plugin section no remaining provider uses."""
    with _lock:
        _specs[stage].pop(name, None)
        used = {
            section
            for by_name in _specs.values()
            for s in by_name.values()
            for section in s.sections
        }
        for section in set(_sections) - used:
            del _sections[section]


def spec(stage: str, name: str) -> ProviderSpec | None:
    return _specs[stage].get(name)


def specs(stage: str | None = None) -> list[ProviderSpec]:
    stages = STAGES if stage is None else (stage,)
    return [_specs[s][n] for s in stages for n in sorted(_specs[s])]


def provider_names(stage: str) -> list[str]:
    return sorted(_specs[stage])


def plugin_sections() -> dict[str, type[BaseModel]]:
    """Settings sections that plugins brought (built-in ones are fields of ``Settings``)."""
    return dict(_sections)


def load_plugins(modules: tuple[str, ...]) -> None:
    """Import the modules that register providers (each calls :func:`register`)."""
    for module in modules:
        importlib.import_module(module)


for _spec in BUILT_IN:
    register(_spec)


def markdown_table() -> str:
    """The README's provider table (``python -m shared.provider_catalog`` prints it)."""
    rows = [
        "| stage | provider | receives | needs | install | work | what |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in specs():
        receives = ", ".join(f"`{name}`" for name in s.sections) or "nothing"
        needs = ", ".join(f"`{variable(need)}`" for need in s.needs) or "nothing"
        install = f"`voicepipe[{s.extra}]`" if s.extra else "included"
        cells = (s.stage, f"`{s.name}`", receives, needs, install, s.work, s.summary)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
