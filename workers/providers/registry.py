"""Provider name -> instance, per stage, from the catalog in ``shared.provider_catalog``.

An implementation is imported only when first asked for: a worker never loads (or even
needs installed) clients it does not use. Each provider gets its own settings sections.
"""

from __future__ import annotations

import importlib
import threading
from typing import cast

from shared.errors import StageFailed
from shared.models import Stage
from shared.provider_catalog import provider_names, spec
from shared.settings import Settings
from workers.providers.base import LlmProvider, Provider, SttProvider, TtsProvider

_BASES: dict[Stage, type[Provider]] = {
    Stage.STT: SttProvider,
    Stage.LLM: LlmProvider,
    Stage.TTS: TtsProvider,
}

_instances: dict[tuple[Stage, str], Provider] = {}
_lock = threading.RLock()


def load_class(stage: Stage, name: str) -> type[Provider]:
    found = spec(stage, name)
    if found is None:
        known = ", ".join(provider_names(stage))
        raise StageFailed(
            "unknown_provider", f"no {stage.value} provider named {name!r}; known: {known}"
        )
    if hint := found.install_hint():
        # Settings refuse this at start-up; a provider registered later still says how.
        raise StageFailed("provider_not_installed", hint)
    module_name, _, class_name = found.implementation.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not issubclass(cls, _BASES[stage]):
        raise TypeError(f"{found.implementation} is not a {_BASES[stage].__name__}")
    return cast(type[Provider], cls)


class _Source:
    """The providers a composite may use: the same process-wide instances."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def get(self, stage: Stage, name: str) -> Provider:
        return get_provider(stage, name, self._settings)

    def missing(self, stage: Stage, name: str) -> str | None:
        if spec(stage, name) is None:
            return f"there is no {stage.value} provider {name!r}"
        return self._settings.missing_configuration(stage, name)


def build(stage: Stage, name: str, settings: Settings) -> Provider:
    """A new instance, built from the provider's own settings sections only."""
    cls = load_class(stage, name)
    return cls.create(settings.provider_sections(stage, name), _Source(settings))


def get_provider(stage: Stage, name: str, settings: Settings) -> Provider:
    """The process-wide instance of a provider (models load once per worker process)."""
    key = (stage, name)
    # Re-entrant: a composite's construction may build the engines it uses.
    with _lock:
        instance = _instances.get(key)
        if instance is None:
            instance = build(stage, name, settings)
            _instances[key] = instance
    return instance


def stt_provider(name: str, settings: Settings) -> SttProvider:
    return cast(SttProvider, get_provider(Stage.STT, name, settings))


def llm_provider(name: str, settings: Settings) -> LlmProvider:
    return cast(LlmProvider, get_provider(Stage.LLM, name, settings))


def tts_provider(name: str, settings: Settings) -> TtsProvider:
    return cast(TtsProvider, get_provider(Stage.TTS, name, settings))


def clear_instances() -> None:
    with _lock:
        _instances.clear()
