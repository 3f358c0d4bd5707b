"""/v1/voices: what each speech provider can say things with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.deps import ServicesDep, get_tenant
from api.errors import ApiError, error_responses
from shared.models import Stage
from shared.provider_catalog import provider_names
from shared.tts_voices import fixed_voices
from shared.voice_directory import NOT_LISTED

# Voices are not per tenant, but everything under /v1 is for key holders only.
router = APIRouter(prefix="/v1/voices", tags=["voices"], dependencies=[Depends(get_tenant)])


class ProviderVoices(BaseModel):
    provider: str
    configured: bool
    voices: list[str]
    error: str | None = None
    # When a tts worker last listed them (they are listed by the workers, which hold the
    # vendor clients, and refreshed every workers.voices_refresh_s).
    listed_at: datetime | None = None


class VoiceList(BaseModel):
    providers: list[ProviderVoices]


@router.get("", response_model=VoiceList, responses=error_responses(400, 422))
def list_voices(
    services: ServicesDep,
    provider: Annotated[str | None, Query(max_length=64)] = None,
) -> VoiceList:
    names = provider_names(Stage.TTS)
    if provider is not None and provider not in names:
        raise ApiError(
            400,
            "unknown_provider",
            f"There is no tts provider {provider!r}. Choose one of: {', '.join(names)}.",
        )
    wanted = [provider] if provider else names
    return VoiceList(providers=[_voices(services, name) for name in wanted])


def _voices(services: ServicesDep, name: str) -> ProviderVoices:
    missing = services.settings.missing_configuration(Stage.TTS, name)
    if missing:
        return ProviderVoices(provider=name, configured=False, voices=[], error=missing)
    published = services.voices.read(name)
    if published is None:
        # Before a tts worker has published (right after start-up), the bundled voice and
        # OpenAI's are known all the same, as GET /v1/models names them: "not listed yet"
        # here beside them there had a client wonder which to believe.
        fixed = fixed_voices(name, services.settings.openai.tts_model)
        return ProviderVoices(
            provider=name,
            configured=True,
            voices=fixed or [],
            error=None if fixed is not None else NOT_LISTED,
        )
    # A vendor being down shows as this provider's error, not a failed request.
    return ProviderVoices(
        provider=name,
        configured=True,
        voices=published.voices,
        error=published.error,
        listed_at=datetime.fromtimestamp(published.listed_at, UTC),
    )
