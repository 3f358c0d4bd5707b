"""Settings of the cloud providers and of the composite transcription modes.

A cloud provider is usable only when its key is set; selecting one without its key is an
error at start-up (see ``Settings._selected_providers_are_configured``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from shared.settings.auth import Section
from shared.settings.urls import host_or_http_url, http_url
from shared.stt_languages import whisper_hears

# A vendor's Retry-After is waited with up to this share more on top, so retries spread out.
RETRY_AFTER_JITTER = 0.1


class RetrySettings(Section):
    max_attempts: int = Field(default=5, ge=1, le=50)
    base_delay_s: float = Field(default=1.0, gt=0)
    max_delay_s: float = Field(default=60.0, gt=0)
    # A vendor asking for a longer pause than this is not retried: retrying sooner than it
    # said would only be refused again, so the job fails at once saying how long it asked.
    max_retry_after_s: float = Field(default=600.0, gt=0)

    @property
    def longest_wait_s(self) -> float:
        """The longest a retry waits: the backoff's cap, or the longest Retry-After taken."""
        return max(self.max_delay_s, self.max_retry_after_s * (1 + RETRY_AFTER_JITTER))


def _vendor_url(value: str, setting: str) -> str:
    # Without a scheme (or empty) every request failed in httpx ("Request URL is missing an
    # 'http://' or 'https://' protocol"), taken for a connection error: each job was retried
    # to its last attempt, far from the variable.
    return http_url(value, setting, empty_is_unset=False) or value


class AnthropicSettings(Section):
    api_key: SecretStr | None = None
    base_url: str = "https://api.anthropic.com"
    model: str = "claude-sonnet-4-6"
    max_tokens: int = Field(default=1024, ge=16, le=64000)
    timeout_s: float = Field(default=60.0, gt=0)
    verify_model: bool = Field(
        default=True, description="Check the model against GET /v1/models at worker start."
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _vendor_url(value, "anthropic.base_url")


class OpenAISettings(Section):
    api_key: SecretStr | None = None
    base_url: str = "https://api.openai.com/v1"
    stt_model: str = "whisper-1"
    tts_model: str = "tts-1"
    tts_voice: str = "alloy"
    tts_speed: float = Field(default=1.0, ge=0.25, le=4.0)
    language: str | None = None
    prompt: str | None = None
    timeout_s: float = Field(default=120.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _vendor_url(value, "openai.base_url")

    @field_validator("language")
    @classmethod
    def _whisper_knows(cls, value: str | None) -> str | None:
        # Every job without a language of its own is sent this one: a code OpenAI refuses
        # would fail them all at the vendor, one by one, rather than here at start-up.
        if not whisper_hears(value):
            raise ValueError(
                f"OpenAI's Whisper knows no language {value!r}; give an ISO-639-1 code it "
                "knows (such as 'en', 'fr', 'de'), or leave it unset for Whisper to detect it"
            )
        return value


class ElevenLabsSettings(Section):
    api_key: SecretStr | None = None
    base_url: str = "https://api.elevenlabs.io"
    voice_id: str = "21m00Tcm4TlvDq8ikWAM"
    model_id: str = "eleven_multilingual_v2"
    output_format: str | None = Field(
        default=None,
        description="codec_samplerate_bitrate, e.g. mp3_44100_128 or ulaw_8000; "
        "derived from the job's format when unset.",
    )
    stability: float = Field(default=0.5, ge=0, le=1)
    similarity_boost: float = Field(default=0.75, ge=0, le=1)
    style: float = Field(default=0.0, ge=0, le=1)
    use_speaker_boost: bool = True
    speed: float = Field(default=1.0, ge=0.7, le=1.2)
    timeout_s: float = Field(default=60.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _vendor_url(value, "elevenlabs.base_url")


class GoogleTtsSettings(Section):
    enabled: bool = Field(
        default=False,
        description="Google reads credentials from GOOGLE_APPLICATION_CREDENTIALS or the "
        "environment; set true once they are in place.",
    )
    endpoint: str | None = Field(default=None, description="Override the API host (tests).")
    language_code: str = "en-US"
    voice_name: str = "en-US-Neural2-F"
    speaking_rate: float = Field(default=1.0, ge=0.25, le=4.0)
    timeout_s: float = Field(default=60.0, gt=0)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        # Anything else reached Google's client, and every job failed at its tts stage.
        return host_or_http_url(value, "google.endpoint")


class ClaudeSttSettings(Section):
    fallback: Literal["auto", "whisper", "local", "none"] = Field(
        default="auto",
        description="Engine used when the endpoint refuses audio: auto = whisper when an "
        "OpenAI key is set, else local.",
    )


class HybridSettings(Section):
    engines: tuple[str, str] = ("whisper", "local")
    reconcile_below: float = Field(
        default=0.9, ge=0, le=1, description="Ask Claude to reconcile below this agreement."
    )
    review_below: float = Field(
        default=0.7, ge=0, le=1, description="Flag needs_review below this agreement."
    )

    @model_validator(mode="after")
    def _distinct(self) -> HybridSettings:
        if self.engines[0] == self.engines[1]:
            raise ValueError("hybrid.engines must name two different engines")
        if "hybrid" in self.engines:
            raise ValueError("hybrid.engines cannot include hybrid itself")
        return self
