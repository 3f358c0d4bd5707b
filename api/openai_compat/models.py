"""``GET /v1/models``: our engines as OpenAI model ids, with the voices of each speech one,
and OpenAI's own audio model names, each naming the engine it runs on here."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import Services, ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.openai_compat.engines import OPENAI_AUDIO_MODELS, PREFIX, default_engine, model_ids
from shared.models import Stage
from shared.tts_voices import fixed_voices
from shared.voice_directory import NOT_LISTED

router = APIRouter(prefix="/v1/models", tags=["openai"])

# OpenAI's `created` is a Unix time; our engines have no release date worth inventing, so
# every model says when this API first offered them.
_CREATED = 1_764_633_600  # 2025-12-02


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = _CREATED
    owned_by: str = "voicepipe"
    # Ours, beside OpenAI's fields: what the engine does and, for speech, its voices.
    stages: list[Stage]
    voices: list[str] | None = None
    # Why `voices` is empty: no tts worker has listed them yet, or the vendor's listing
    # failed (as GET /v1/voices says it).
    voices_error: str | None = None
    # For an OpenAI model name: the engine (one of ours, listed too) that answers it here.
    runs_on: str | None = None


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


@router.get("", response_model=ModelList, responses=error_responses(401))
def list_models(services: ServicesDep, _tenant: TenantDep) -> ModelList:
    """The engines this deployment runs, as OpenAI lists models."""
    models = model_ids(services.settings)
    cards = [_card(services, model, stages) for model, stages in models.items()]
    return ModelList(data=cards + [_alias(services, name) for name in OPENAI_AUDIO_MODELS])


@router.get("/{model}", response_model=ModelCard, responses=error_responses(401, 404))
def retrieve_model(model: str, services: ServicesDep, _tenant: TenantDep) -> ModelCard:
    """One engine, as OpenAI describes a model; 404 for one this deployment does not run."""
    models = model_ids(services.settings)
    if model in OPENAI_AUDIO_MODELS:
        return _alias(services, model)
    if model not in models:
        raise ApiError(
            404,
            "model_not_found",
            f"The model {model!r} does not exist here. This deployment runs "
            f"{', '.join(models)}, and OpenAI's {', '.join(OPENAI_AUDIO_MODELS)} on its "
            "default engines (GET /v1/models lists them).",
            param="model",
        )
    return _card(services, model, models[model])


def _card(services: Services, model: str, stages: list[Stage]) -> ModelCard:
    voices, error = _voices(services, model, stages)
    return ModelCard(id=model, stages=stages, voices=voices, voices_error=error)


def _alias(services: Services, name: str) -> ModelCard:
    stage = OPENAI_AUDIO_MODELS[name]
    engine = default_engine(services.settings, stage)
    voices, error = _voices(services, engine, [stage])
    return ModelCard(id=name, stages=[stage], voices=voices, voices_error=error, runs_on=engine)


def _voices(
    services: Services, model: str, stages: list[Stage]
) -> tuple[list[str] | None, str | None]:
    """The speech engine's voices, and why there are none where there are none."""
    if Stage.TTS not in stages:
        return None, None
    provider = model.removeprefix(PREFIX)
    published = services.voices.read(provider)
    if published is not None:
        return published.voices, published.error
    # Right after start-up no tts worker has published yet; the bundled voice and OpenAI's
    # are known here all the same, as their providers list them.
    fixed = fixed_voices(provider, services.settings.openai.tts_model)
    return (fixed, None) if fixed is not None else ([], NOT_LISTED)
