"""All configuration, in one validated object.

Every setting comes from the environment with the prefix ``VOICEPIPE_`` and ``__`` between
nested names, e.g. ``VOICEPIPE_STORAGE__BACKEND=s3``. Nothing else in the code reads the
environment: everything asks :func:`get_settings`. Sections live beside this module:
``services`` (broker, storage, API, sweeper, Flower), ``local_engine`` (the offline engines),
``pools`` (worker pools, and their defaults from the providers), ``auth`` (API keys),
``provider_choice`` (the providers each stage runs, plugins), ``providers`` (cloud vendors,
retries), ``bulk`` (batches, imports, outbound fetches, webhooks, retention); ``plugin_env``
reads the sections plugins bring, ``secret_values`` finds the secrets ``without_secrets``
replaces.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.provider_catalog import (
    STAGES,
    plugin_sections,
    provider_names,
    spec,
    specs,
    variable,
)
from shared.settings.auth import AuthSettings, ClientSettings
from shared.settings.bulk import (
    BatchSettings,
    FetchSettings,
    ImportSettings,
    RetentionSettings,
    WebhookSettings,
)
from shared.settings.local_engine import LocalEngineSettings
from shared.settings.names import sections_of, unknown_variables
from shared.settings.plugin_env import ENVIRONMENT, read_sections
from shared.settings.pools import PoolSettings, WorkerSettings, fit_pools_to_providers
from shared.settings.provider_choice import OutputFormat, ProviderSettings
from shared.settings.providers import (
    AnthropicSettings,
    ClaudeSttSettings,
    ElevenLabsSettings,
    GoogleTtsSettings,
    HybridSettings,
    OpenAISettings,
    RetrySettings,
)
from shared.settings.redaction import RedactionSettings
from shared.settings.review import ReviewSettings
from shared.settings.secret_values import secrets_in
from shared.settings.services import (
    ApiSettings,
    BrokerSettings,
    FlowerSettings,
    StorageSettings,
    SupervisorSettings,
    SweeperSettings,
    TracingSettings,
)
from shared.settings.stt_budget import longest_recording_problem
from shared.settings.usage import PriceSettings, UsageSettings
from shared.settings.web import WebSettings
from shared.tts_voices import foreign_voice

# The sections live beside this module; these names are imported from here as before.
__all__ = [
    "ApiSettings",
    "BrokerSettings",
    "FlowerSettings",
    "LocalEngineSettings",
    "OutputFormat",
    "PoolSettings",
    "ProviderSettings",
    "Settings",
    "StorageSettings",
    "SupervisorSettings",
    "SweeperSettings",
    "TracingSettings",
    "WorkerSettings",
    "get_settings",
    "reset_settings_cache",
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(**ENVIRONMENT, extra="forbid")

    data_dir: Path = Path(".voicepipe")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # json: one JSON object a line, with the job, batch, tenant and stage a line is about.
    log_format: Literal["text", "json"] = "text"
    tracing: TracingSettings = TracingSettings()
    broker: BrokerSettings = BrokerSettings()
    storage: StorageSettings = StorageSettings()
    api: ApiSettings = ApiSettings()
    workers: WorkerSettings = WorkerSettings()
    providers: ProviderSettings = ProviderSettings()
    local: LocalEngineSettings = LocalEngineSettings()
    flower: FlowerSettings = FlowerSettings()
    sweeper: SweeperSettings = SweeperSettings()
    supervisor: SupervisorSettings = SupervisorSettings()
    auth: AuthSettings = AuthSettings()
    client: ClientSettings = ClientSettings()
    retries: RetrySettings = RetrySettings()
    anthropic: AnthropicSettings = AnthropicSettings()
    openai: OpenAISettings = OpenAISettings()
    elevenlabs: ElevenLabsSettings = ElevenLabsSettings()
    google: GoogleTtsSettings = GoogleTtsSettings()
    claude_stt: ClaudeSttSettings = ClaudeSttSettings()
    hybrid: HybridSettings = HybridSettings()
    batches: BatchSettings = BatchSettings()
    imports: ImportSettings = ImportSettings()
    fetch: FetchSettings = FetchSettings()
    webhooks: WebhookSettings = WebhookSettings()
    retention: RetentionSettings = RetentionSettings()
    review: ReviewSettings = ReviewSettings()
    redaction: RedactionSettings = RedactionSettings()
    # The usage ledger's price table and the bounds of /v1/usage (shared/settings/usage.py).
    prices: PriceSettings = PriceSettings()
    usage: UsageSettings = UsageSettings()
    # The inbox pages under /inbox (api/web): session cookies, page size.
    web: WebSettings = WebSettings()

    _plugin_sections: dict[str, BaseModel] = PrivateAttr(default_factory=dict)

    def section(self, name: str) -> BaseModel:
        """A settings section by name: a field of this class or one a plugin registered."""
        if name in type(self).model_fields:
            value: BaseModel = getattr(self, name)
            return value
        try:
            return self._plugin_sections[name]
        except KeyError:
            raise KeyError(f"no settings section {name!r}") from None

    def without_secrets(self, text: str) -> str:
        """``text`` with every secret of these settings (API keys, passwords) replaced.

        For what is stored or shown from outside: a vendor's error message may quote the key
        it was sent (an OpenAI-compatible gateway's "Received API Key = ..."), and such a
        message becomes the job's error. Values under 6 characters are left: replacing them
        would mangle ordinary words without protecting anything.
        """
        sections = [getattr(self, name) for name in type(self).model_fields]
        for secret in secrets_in([*sections, *self._plugin_sections.values()]):
            text = text.replace(secret, "[redacted]")
        return text

    def plugin_section_values(self) -> dict[str, dict[str, object]]:
        """The sections plugins brought, as plain values (for a child process's env)."""
        return {name: section.model_dump() for name, section in self._plugin_sections.items()}

    def provider_sections(self, stage: str, provider: str) -> tuple[BaseModel, ...]:
        """What a provider is built from: its own sections, nothing else."""
        found = spec(stage, provider)
        if found is None:
            raise KeyError(f"no {stage} provider named {provider!r}")
        return tuple(self.section(name) for name in found.sections)

    def missing_configuration(self, stage: str, provider: str) -> str | None:
        """Why ``provider`` cannot run for ``stage`` with these settings, or None if it can."""
        found = spec(stage, provider)
        if found is None:
            return None
        for need in found.needs:
            section, _, field = need.partition(".")
            if not getattr(self.section(section), field):
                return f"the {stage} provider {provider!r} needs {variable(need)}"
        return None

    @model_validator(mode="after")
    def _plugin_sections_read(self) -> Settings:
        # Plugins' sections are not fields of this class: read them from the environment
        # by the same naming rule (VOICEPIPE_<SECTION>__<FIELD>), validated here at start-up.
        wanted = {
            name: cls
            for name, cls in plugin_sections().items()
            if name not in type(self).model_fields
        }
        if wanted:
            self._plugin_sections = read_sections(wanted)
        return self

    @model_validator(mode="after")
    def _every_variable_is_a_setting(self) -> Settings:
        # After the plugins' sections are known: their variables are settings too.
        sections = sections_of(type(self))
        sections.update({name: type(s) for name, s in self._plugin_sections.items()})
        problems = unknown_variables(os.environ, sections)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _selected_providers_exist(self) -> Settings:
        for stage in STAGES:
            name = getattr(self.providers, stage)
            if spec(stage, name) is None:
                known = ", ".join(provider_names(stage))
                raise ValueError(f"providers.{stage}: no provider named {name!r}; known: {known}")
        return self

    @model_validator(mode="after")
    def _voice_fits_the_default_provider(self) -> Settings:
        # Else every job of the default provider failed as unknown_voice, one by one.
        voice, provider = self.providers.tts_voice, self.providers.tts
        if voice and (problem := foreign_voice(provider, voice, self.openai.tts_model)):
            raise ValueError(
                f"providers.tts_voice {voice!r} is the voice of the default tts provider "
                f"{provider!r}, and {problem}"
            )
        return self

    @model_validator(mode="after")
    def _pools_fit_their_providers(self) -> Settings:
        fit_pools_to_providers(self.workers, self.providers)
        return self

    @model_validator(mode="after")
    def _selected_providers_are_configured(self) -> Settings:
        # Fail at start-up, not at the first job, when a chosen provider lacks its key, and
        # when a provider that is chosen or has its keys lacks its optional install: a job
        # may name any configured provider, and must not fail for an import at run time.
        problems = [
            reason
            for stage in STAGES
            if (reason := self.missing_configuration(stage, getattr(self.providers, stage)))
        ]
        for found in specs():
            chosen = getattr(self.providers, found.stage) == found.name
            configured = bool(found.needs) and not self.missing_configuration(
                found.stage, found.name
            )
            if (chosen or configured) and (hint := found.install_hint()):
                problems.append(hint)
        if self.claude_stt.fallback == "whisper" and (
            reason := self.missing_configuration("stt", "whisper")
        ):
            problems.append(f"claude_stt.fallback=whisper: {reason}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _time_limits_hold(self) -> Settings:
        # A message redelivered while its first run is still going would run twice at once.
        w = self.workers
        longest = max(p.time_limit_s for p in (w.stt, w.llm, w.tts, w.ingest, w.webhooks))
        if self.broker.visibility_timeout_s <= longest:
            raise ValueError(
                f"broker.visibility_timeout_s ({self.broker.visibility_timeout_s}) must be "
                f"above the longest stage time limit ({longest} s)"
            )
        if problem := longest_recording_problem(self):
            raise ValueError(problem)
        # A stage's retry waits its countdown in the worker that took it, unacknowledged, and
        # then runs: together they must end before the broker hands the message out again.
        wait = self.retries.longest_wait_s
        stage_limit = max(p.time_limit_s for p in (w.stt, w.llm, w.tts))
        if self.broker.visibility_timeout_s <= wait + stage_limit:
            raise ValueError(
                f"broker.visibility_timeout_s ({self.broker.visibility_timeout_s}) must be "
                f"above the longest retry wait (retries.max_retry_after_s plus its jitter, or "
                f"retries.max_delay_s: {wait:.0f} s) plus the longest stage time limit "
                f"({stage_limit} s): lower the one or raise the other"
            )
        return self

    @model_validator(mode="after")
    def _keys_required_beyond_loopback(self) -> Settings:
        # Open access is for one developer's machine; anything reachable needs keys.
        problem = self.auth.exposure_problem(self.api.host)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def objects_dir(self) -> Path:
        return self.storage.local_dir or self.data_dir / "objects"

    @property
    def imports_dir(self) -> Path:
        return self.imports.local_dir or self.data_dir / "imports"

    @model_validator(mode="after")
    def _webhook_lease_above_timeout(self) -> Settings:
        if self.webhooks.lease_s <= self.webhooks.timeout_s:
            raise ValueError("webhooks.lease_s must be above webhooks.timeout_s")
        return self

    @property
    def valkey_dir(self) -> Path:
        return self.data_dir / "valkey"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, validated once on first use."""
    return Settings()


def reset_settings_cache() -> None:
    """Forget the cached settings (tests that change the environment call this)."""
    get_settings.cache_clear()
