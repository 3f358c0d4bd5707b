"""OpenAI model names onto our engines, and the model list that names them.

`whisper-1`, `gpt-4o-transcribe`, `tts-1` and any other name we do not know run on the
deployment's configured default, so a client written for OpenAI needs no change;
`voicepipe-<provider>` chooses one of ours explicitly.
"""

from __future__ import annotations

from api.errors import ApiError
from shared.models import Stage
from shared.provider_catalog import provider_names
from shared.settings import Settings

PREFIX = "voicepipe-"

# OpenAI's own audio models, listed and retrieved as the engine each runs on here: a client
# that checks its configured `whisper-1` before calling is told it exists, as it runs.
# As the openai SDK's AudioModel and SpeechModel name them, but gpt-4o-transcribe-diarize,
# whose diarized_json is not offered here.
OPENAI_AUDIO_MODELS = {
    "whisper-1": Stage.STT,
    "gpt-transcribe": Stage.STT,
    "gpt-4o-transcribe": Stage.STT,
    "gpt-4o-mini-transcribe": Stage.STT,
    "gpt-4o-mini-transcribe-2025-12-15": Stage.STT,
    "tts-1": Stage.TTS,
    "tts-1-hd": Stage.TTS,
    "gpt-4o-mini-tts": Stage.TTS,
    "gpt-4o-mini-tts-2025-12-15": Stage.TTS,
}


def engine_for(settings: Settings, stage: Stage, model: str | None) -> str | None:
    """The provider ``model`` names for ``stage``; None for the configured default."""
    if not model or not model.startswith(PREFIX):
        return None
    name = model.removeprefix(PREFIX)
    # Only engines that would run, as /v1/models lists them: one that needs a key this
    # deployment lacks would only be refused next.
    runnable = [m for m, stages in model_ids(settings).items() if stage in stages]
    choices = ", ".join(runnable)
    if name not in provider_names(stage):
        raise ApiError(
            404,
            "model_not_found",
            f"The model {model!r} {_not_here(name, stage)}. Use {choices}, or any OpenAI "
            "model name for this deployment's default.",
            param="model",
        )
    # The caller chose a model, not a provider: the refusal names that field, as OpenAI's
    # own for a model it will not run, and what would run instead.
    missing = settings.missing_configuration(stage.value, name)
    if missing:
        raise ApiError(
            400,
            "provider_not_configured",
            f"The model {model!r} cannot run here: {missing}. Use {choices}, or any OpenAI "
            "model name for this deployment's default.",
            param="model",
        )
    return name


# What an engine of each stage does, as a model on these routes is asked to.
_DOES = {
    Stage.STT: ("transcribe", "transcribes (POST /v1/audio/transcriptions)"),
    Stage.LLM: ("write replies", "writes replies (on the job API, not these routes)"),
    Stage.TTS: ("speak", "speaks (POST /v1/audio/speech)"),
}


def _not_here(name: str, stage: Stage) -> str:
    """Why ``name`` is no model for ``stage``: it is none at all, or an engine of another
    stage (``voicepipe-whisper`` asked to speak), which "does not exist" would belie."""
    others = [s for s in _DOES if s != stage and name in provider_names(s)]
    if not others:
        return "does not exist here"
    return f"does not {_DOES[stage][0]}: it {' and '.join(_DOES[s][1] for s in others)}"


def model_ids(settings: Settings) -> dict[str, list[Stage]]:
    """Every engine this deployment can run, as a model id, with the stages it serves (the
    offline engine is one model for all three)."""
    found: dict[str, list[Stage]] = {}
    for stage in (Stage.STT, Stage.LLM, Stage.TTS):
        for name in provider_names(stage):
            if settings.missing_configuration(stage.value, name) is None:
                found.setdefault(PREFIX + name, []).append(stage)
    return found


def default_engine(settings: Settings, stage: Stage) -> str:
    """The model id of the engine an OpenAI model name runs on for ``stage``."""
    provider = settings.providers.tts if stage == Stage.TTS else settings.providers.stt
    return PREFIX + provider
