"""A job whose reply its voice could not speak, refused at intake rather than at its tts
stage, after the reply model was paid."""

from __future__ import annotations

from api.deps import Services
from api.errors import ApiError
from shared.models import Stage
from shared.provider_catalog import provider_names
from shared.stt_languages import ENGLISH_ONLY_VOICES, is_english

# Responders that write the reply in the job's language (Claude is told it); the offline one
# writes English whatever the caller spoke.
_WRITES_LANGUAGE = frozenset({"claude"})


def speakable_reply(
    services: Services,
    stages: list[Stage],
    language: str | None,
    llm: str | None,
    tts: str | None,
) -> None:
    """Refuse a reply the voice cannot speak: Claude writes it in ``language``, and an
    English-only voice (``local``) refuses it at the tts stage, after Claude was paid."""
    if is_english(language) or Stage.LLM not in stages or Stage.TTS not in stages:
        return
    settings = services.settings
    llm, tts = llm or settings.providers.llm, tts or settings.providers.tts
    if llm not in _WRITES_LANGUAGE or tts not in ENGLISH_ONLY_VOICES:
        return
    others = [
        n
        for n in provider_names(Stage.TTS)
        if n not in ENGLISH_ONLY_VOICES and settings.missing_configuration("tts", n) is None
    ]
    # Only the voices this deployment can use are offered.
    voices = f"tts_provider {' or '.join(others)} with a voice of that language, " if others else ""
    raise ApiError(
        400,
        "unsupported_language",
        f"language: {llm} would write the reply in {language!r}, and the {tts!r} voice speaks "
        "English only, so the job would fail at its tts stage after the reply was paid for. "
        f"Choose {voices}llm_provider local (it replies in English), stages=stt,llm (no "
        "spoken reply), or language 'en'.",
        param="language",
    )
