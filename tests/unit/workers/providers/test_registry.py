"""Providers built from the catalog, each from its own settings sections only.

The plugin here is a test module (tests/plugins/polite_reply.py): one module and one
registry line, as the README's "Adding a provider" section shows.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest
from pydantic import ValidationError

from shared import provider_catalog as catalog
from shared.errors import StageFailed
from shared.models import Stage, Transcript
from shared.settings import Settings
from workers.providers import registry
from workers.providers.base import LlmProvider, ReplyContext, SttProvider, TtsProvider

PLUGIN = "tests.plugins.polite_reply"
BASES = {Stage.STT: SttProvider, Stage.LLM: LlmProvider, Stage.TTS: TtsProvider}


@pytest.fixture
def polite() -> Iterator[ModuleType]:
    module = importlib.import_module(PLUGIN)
    # Imported once per session: register again in case an earlier test unregistered it.
    catalog.register(module.POLITE, sections={"polite": module.PoliteSettings})
    registry.clear_instances()
    yield module
    catalog.unregister("llm", "polite")
    registry.clear_instances()


@pytest.mark.parametrize("spec", catalog.specs(), ids=lambda s: f"{s.stage}-{s.name}")
def test_every_catalog_line_names_an_implementation_of_its_stage(
    spec: catalog.ProviderSpec,
) -> None:
    cls = registry.load_class(Stage(spec.stage), spec.name)

    assert issubclass(cls, BASES[Stage(spec.stage)])
    assert cls.name == spec.name


def test_a_plugin_provider_is_offered_and_built_from_its_own_section_only(
    polite: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_POLITE__API_KEY", "pk-test")
    monkeypatch.setenv("VOICEPIPE_POLITE__GREETING", "Hello from the plugin")
    settings = Settings(providers={"plugins": [PLUGIN], "llm": "polite"})

    provider = registry.build(Stage.LLM, "polite", settings)
    reply = provider.respond(Transcript(text="please call me back", provider="x"), ReplyContext())  # type: ignore[attr-defined]

    assert "polite" in catalog.provider_names("llm")
    assert isinstance(provider, polite.PoliteResponder)
    assert provider.config == polite.PoliteSettings(
        api_key="pk-test", greeting="Hello from the plugin"
    )
    assert reply.text.startswith("Hello from the plugin.")
    # Its catalog line says it waits on the network: its pool gets threads.
    assert (settings.workers.llm.pool, settings.workers.llm.concurrency) == ("threads", 64)


def test_a_plugin_provider_chosen_without_its_key_fails_at_start_up(polite: ModuleType) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(providers={"plugins": [PLUGIN], "llm": "polite"})

    assert "VOICEPIPE_POLITE__API_KEY" in str(caught.value)


def test_a_plugin_module_that_cannot_be_imported_fails_at_start_up() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(providers={"plugins": ["tests.plugins.no_such_plugin"]})

    assert "providers.plugins: cannot import tests.plugins.no_such_plugin" in str(caught.value)


def test_a_provider_missing_its_install_is_an_error_with_the_command_not_an_import_crash() -> None:
    spec = catalog.ProviderSpec(
        "tts", "absent", "no_such_package.tts:Voice", catalog.Work.IO,
        extra="cloud", modules=("no_such_package",),
    )  # fmt: skip
    catalog.register(spec)
    try:
        with pytest.raises(StageFailed) as caught:
            registry.load_class(Stage.TTS, "absent")
    finally:
        catalog.unregister("tts", "absent")

    assert caught.value.code == "provider_not_installed"
    assert "pip install 'voicepipe[cloud]'" in caught.value.message
