"""/v1/voices: what each speech provider can say things with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, get_tenant
from api.errors import ApiError, error_responses
from shared.errors import StageFailed
from shared.models import Stage
from shared.provider_catalog import provider_names
from workers.providers.registry import tts_provider

# Voices are not per tenant, but everything under /v1 is for key holders only.
router = APIRouter(prefix="/v1/voices", tags=["voices"], dependencies=[Depends(get_tenant)])


class ProviderVoices(BaseModel):
    provider: str
    configured: bool
    voices: list[str]
    error: str | None = None


class VoiceList(BaseModel):
    providers: list[ProviderVoices]


@router.get("", response_model=VoiceList, responses=error_responses(400, 422))
async def list_voices(
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
    return VoiceList(providers=[await _voices(services, name) for name in wanted])


async def _voices(services: ServicesDep, name: str) -> ProviderVoices:
    missing = services.settings.missing_configuration(Stage.TTS.value, name)
    if missing:
        return ProviderVoices(provider=name, configured=False, voices=[], error=missing)
    try:
        instance = tts_provider(name, services.settings)
        voices = await run_in_threadpool(instance.voices)
    except StageFailed as exc:
        # A vendor being down must not break the listing of the others.
        return ProviderVoices(
            provider=name, configured=True, voices=[], error=f"{exc.code}: {exc.message}"
        )
    return ProviderVoices(provider=name, configured=True, voices=voices)
