"""The provider catalog: the one table pool defaults, start-up checks and names come from."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from shared import provider_catalog as catalog
from shared.provider_catalog import ProviderSpec, Work, provider_names, specs
from shared.settings import Settings


def test_every_provider_names_sections_and_needs_that_settings_has() -> None:
    for spec in specs():
        for section in spec.sections:
            assert section in Settings.model_fields, f"{spec.name}: no section {section}"
        for need in spec.needs:
            section, _, field = need.partition(".")
            section_type = Settings.model_fields[section].annotation
            assert field in section_type.model_fields, f"{spec.name}: no field {need}"  # type: ignore[union-attr]


def test_every_stage_offers_an_offline_provider_that_needs_nothing() -> None:
    for stage in catalog.STAGES:
        local = catalog.spec(stage, "local")
        assert local is not None
        assert (local.needs, local.modules, local.work) == ((), (), Work.CPU)


@pytest.mark.parametrize(
    ("stage", "provider", "section", "pool", "concurrency"),
    [
        ("stt", "local", {}, "prefork", 1),
        ("stt", "whisper", {"openai": {"api_key": "sk"}}, "threads", 32),
        ("llm", "local", {}, "threads", 8),
        ("llm", "claude", {"anthropic": {"api_key": "sk"}}, "threads", 64),
        ("tts", "local", {}, "prefork", 1),
        ("tts", "elevenlabs", {"elevenlabs": {"api_key": "k"}}, "threads", 32),
    ],
)
def test_a_stage_pool_defaults_to_what_its_providers_work_needs(
    stage: str, provider: str, section: dict[str, object], pool: str, concurrency: int
) -> None:
    settings = Settings(providers={stage: provider}, **section)  # type: ignore[arg-type]

    chosen = getattr(settings.workers, stage)
    assert (chosen.pool, chosen.concurrency) == (pool, concurrency)


def test_an_unknown_provider_fails_at_start_up_with_the_known_names() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(providers={"tts": "nope"})

    assert "providers.tts: no provider named 'nope'" in str(caught.value)
    assert ", ".join(provider_names("tts")) in str(caught.value)


def test_a_chosen_provider_without_its_key_fails_at_start_up_naming_the_variable() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(providers={"llm": "claude"})

    assert "VOICEPIPE_ANTHROPIC__API_KEY" in str(caught.value)


@pytest.fixture
def uninstalled_whisper() -> Iterator[ProviderSpec]:
    """Whisper as if the cloud extra were not installed."""
    real = catalog.spec("stt", "whisper")
    assert real is not None
    absent = dataclasses.replace(real, modules=("voicepipe_test_absent.sdk",))
    catalog.register(absent)
    yield absent
    catalog.register(real)


def test_a_chosen_provider_whose_install_is_missing_fails_at_start_up_with_the_command(
    uninstalled_whisper: ProviderSpec,
) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(providers={"stt": "whisper"}, openai={"api_key": "sk"})

    message = str(caught.value)
    assert "voicepipe_test_absent.sdk, which is not installed" in message
    assert "pip install 'voicepipe[cloud]'" in message


def test_a_configured_provider_whose_install_is_missing_fails_even_when_not_the_default(
    uninstalled_whisper: ProviderSpec,
) -> None:
    # A job may name any configured provider: it must not fail on an import at run time.
    with pytest.raises(ValidationError) as caught:
        Settings(openai={"api_key": "sk"})

    assert "pip install 'voicepipe[cloud]'" in str(caught.value)
    assert Settings().providers.stt == "local", "unconfigured, it is simply not offered"


def test_a_provider_of_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        catalog.register(ProviderSpec("speak", "x", "m:C", Work.IO))


def test_the_readme_provider_table_is_the_catalog() -> None:
    readme = Path(__file__).parents[3] / "README.md"
    text = readme.read_text()
    begin, end = "<!-- providers:begin -->\n", "\n<!-- providers:end -->"
    shown = text[text.index(begin) + len(begin) : text.index(end)]

    assert shown == catalog.markdown_table(), (
        "README's provider table is out of date: paste `python -m shared.provider_catalog`"
    )
