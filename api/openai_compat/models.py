"""``GET /v1/models``: our engines as OpenAI model ids, with the voices of each speech one."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServicesDep, TenantDep
from api.errors import error_responses
from api.openai_compat.engines import model_ids
from shared.models import Stage

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


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


@router.get("", response_model=ModelList, responses=error_responses(401))
def list_models(services: ServicesDep, _tenant: TenantDep) -> ModelList:
    """The engines this deployment runs, as OpenAI lists models."""
    cards = []
    for model, stages in model_ids(services.settings).items():
        voices = None
        if Stage.TTS in stages:
            published = services.voices.read(model.removeprefix("voicepipe-"))
            voices = published.voices if published else []
        cards.append(ModelCard(id=model, stages=stages, voices=voices))
    return ModelList(data=cards)
