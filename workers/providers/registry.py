"""Provider name -> class, per stage, imported only when first asked for.

Lazy imports keep a worker from loading (or even installing) clients it never uses.
"""

from __future__ import annotations

import importlib
import threading
from typing import cast

from shared.errors import StageFailed
from shared.models import Stage
from shared.provider_catalog import IMPLEMENTATIONS, provider_names
from shared.settings import Settings
from workers.providers.base import LlmProvider, Provider, SttProvider, TtsProvider

# The table itself lives in shared/, where the API reads the names without this module.
REGISTRY = IMPLEMENTATIONS

_BASES: dict[Stage, type[Provider]] = {
    Stage.STT: SttProvider,
    Stage.LLM: LlmProvider,
    Stage.TTS: TtsProvider,
}

_instances: dict[tuple[Stage, str], Provider] = {}
_lock = threading.Lock()


def load_class(stage: Stage, name: str) -> type[Provider]:
    try:
        target = REGISTRY[stage][name]
    except KeyError:
        known = ", ".join(provider_names(stage))
        raise StageFailed(
            "unknown_provider", f"no {stage.value} provider named {name!r}; known: {known}"
        ) from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not issubclass(cls, _BASES[stage]):
        raise TypeError(f"{target} is not a {_BASES[stage].__name__}")
    return cast(type[Provider], cls)


def get_provider(stage: Stage, name: str, settings: Settings) -> Provider:
    """The process-wide instance of a provider (models load once per worker process)."""
    key = (stage, name)
    with _lock:
        instance = _instances.get(key)
        if instance is None:
            instance = load_class(stage, name)(settings)
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
