"""The price table of the usage ledger (``prices``) and the bounds of its reports (``usage``).

Quantities (audio seconds, tokens, characters, CPU seconds) are facts of each job's record;
costs are computed from this table when a report is read, so changing a price changes every
figure priced with it, including those of jobs that ran before the change.

Default prices, in US dollars, are the vendors' public list prices as published, read
2026-12-02 from memory of the public price pages (no browser was at hand): check them before
billing anyone, and set ``prices.read_on`` to the day you did.

- OpenAI speech to text: ``whisper-1`` and ``gpt-4o-transcribe`` $0.006 per audio minute,
  ``gpt-4o-mini-transcribe`` $0.003 (openai.com/api/pricing).
- OpenAI speech: ``tts-1`` $15 and ``tts-1-hd`` $30 per million characters.
  (``gpt-4o-mini-tts`` is billed by tokens, about $0.015 a minute: not in this table.)
- Anthropic (anthropic.com/pricing, per million tokens in / out): Sonnet 4.x $3 / $15,
  Opus 4.5 and 4.6 $5 / $25, Haiku 4.5 $1 / $5. Claude hearing audio is billed by tokens,
  so its audio minutes are priced at 0.
- ElevenLabs API (elevenlabs.io/pricing/api): Multilingual v2 and v3 $0.10, Flash and
  Turbo v2.5 $0.05 per 1,000 characters; a subscription plan's included credits change this.
- Google Cloud Text-to-Speech (cloud.google.com/text-to-speech/pricing), per million
  characters by voice family: Standard $4, WaveNet $4 (it was $16 before a price cut, a
  figure worth checking), Neural2 and Polyglot $16, Chirp 3 HD $30, Studio $160; free
  monthly tiers ignored.
- Offline engines (PocketSphinx, the rules triage, Piper) cost no vendor anything: their
  CPU seconds are priced at ``cpu_per_hour``, 0 unless you give your machines' price.

Keys: ``<engine>:<model>`` (or ``<engine>`` for any model of it) for audio minutes and
characters, the model id for tokens. Entries given in the environment are merged over the
defaults (``VOICEPIPE_PRICES__INPUT_PER_MTOK='{"claude-sonnet-4-6": 3.5}'`` changes one
price and keeps the rest); set an entry to 0 to stop charging it. A meter without an entry
is reported with ``unit_price: null`` and a cost of 0, so a gap in the table shows.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from shared.settings.auth import Section

# Finite: "inf" passed >= 0 and made every job's cost Infinity, which JSON cannot carry.
Price = Annotated[float, Field(ge=0, allow_inf_nan=False)]

AUDIO_PER_MINUTE: dict[str, float] = {
    "whisper": 0.006,
    "whisper:whisper-1": 0.006,
    "whisper:gpt-4o-transcribe": 0.006,
    "whisper:gpt-4o-mini-transcribe": 0.003,
    "claude": 0.0,
    "local": 0.0,
    "pocketsphinx": 0.0,
}
INPUT_PER_MTOK: dict[str, float] = {
    "claude-sonnet-4-6": 3.0,
    "claude-sonnet-4-5": 3.0,
    "claude-opus-4-6": 5.0,
    "claude-opus-4-5": 5.0,
    "claude-haiku-4-5": 1.0,
}
OUTPUT_PER_MTOK: dict[str, float] = {
    "claude-sonnet-4-6": 15.0,
    "claude-sonnet-4-5": 15.0,
    "claude-opus-4-6": 25.0,
    "claude-opus-4-5": 25.0,
    "claude-haiku-4-5": 5.0,
}
CHARACTERS_PER_MILLION: dict[str, float] = {
    "openai": 15.0,
    "openai:tts-1": 15.0,
    "openai:tts-1-hd": 30.0,
    "elevenlabs": 100.0,
    "elevenlabs:eleven_multilingual_v2": 100.0,
    "elevenlabs:eleven_v3": 100.0,
    "elevenlabs:eleven_flash_v2_5": 50.0,
    "elevenlabs:eleven_turbo_v2_5": 50.0,
    "google": 16.0,
    "google:Standard": 4.0,
    "google:Wavenet": 4.0,
    "google:Neural2": 16.0,
    "google:Polyglot": 16.0,
    "google:Chirp3": 30.0,
    "google:Studio": 160.0,
    "local": 0.0,
}
_DEFAULTS = {
    "audio_per_minute": AUDIO_PER_MINUTE,
    "input_per_mtok": INPUT_PER_MTOK,
    "output_per_mtok": OUTPUT_PER_MTOK,
    "characters_per_million": CHARACTERS_PER_MILLION,
}


class PriceSettings(Section):
    currency: str = Field(default="USD", min_length=3, max_length=3)
    read_on: date = Field(
        default=date(2026, 12, 2), description="When the prices were read from the vendors."
    )
    audio_per_minute: dict[str, Price] = Field(
        default_factory=lambda: dict(AUDIO_PER_MINUTE),
        description="Per minute of audio transcribed, by engine[:model].",
    )
    input_per_mtok: dict[str, Price] = Field(
        default_factory=lambda: dict(INPUT_PER_MTOK),
        description="Per million input tokens, by model.",
    )
    output_per_mtok: dict[str, Price] = Field(
        default_factory=lambda: dict(OUTPUT_PER_MTOK),
        description="Per million output tokens, by model.",
    )
    characters_per_million: dict[str, Price] = Field(
        default_factory=lambda: dict(CHARACTERS_PER_MILLION),
        description="Per million characters synthesised, by vendor[:model or voice family].",
    )
    cpu_per_hour: Price = Field(
        default=0.0, description="Per CPU-hour of the workers' own machines (any stage)."
    )

    @field_validator(*_DEFAULTS, mode="before")
    @classmethod
    def _over_defaults(cls, value: object, info: ValidationInfo) -> object:
        # One price changed in the environment must not silently drop every other default.
        if isinstance(value, dict) and info.field_name in _DEFAULTS:
            return {**_DEFAULTS[info.field_name], **value}
        return value


class UsageSettings(Section):
    default_window_days: int = Field(
        default=30, ge=1, description="Window of /v1/usage when `from` is not given."
    )
    max_window_days: int = Field(
        default=366, ge=1, description="Longest window one /v1/usage request may cover."
    )
    max_jobs: int = Field(
        default=50_000,
        ge=1,
        description="Most job records one report reads; a window holding more is refused "
        "with a request to narrow it (a report reads every record in its window).",
    )
