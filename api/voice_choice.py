"""Which voices a tts provider has, as the API can tell before the job runs, and the refusal
of one it lacks: else the job fails only at its last stage, after paying for transcription
and a reply (a whole batch's worth, for a batch)."""

from __future__ import annotations

from api.deps import Services
from api.errors import ApiError
from shared.tts_voices import fixed_voices, foreign_voice

VOICES_NAMED = 20


def known_voices(services: Services, provider: str) -> list[str] | None:
    """The list a tts worker published or, before one has (or when its listing failed), the
    voices known without it: the bundled voice, OpenAI's for the configured model. None for
    a vendor whose list only its listing can tell."""
    published = services.voices.read(provider)
    if published is not None and published.voices:
        return published.voices
    return fixed_voices(provider, services.settings.openai.tts_model)


def refuse_unknown(
    services: Services, provider: str, voice: str, listed: list[str] | None, otherwise: str
) -> None:
    """Raise ``unknown_voice`` when ``provider`` cannot have ``voice``: it is not in
    ``listed`` or, unlisted, its name cannot be one of the vendor's (a Google voice is named
    by its language, so "nova" cannot be one), told without asking the vendor. ``otherwise``
    ends the message: what the caller may do instead."""
    if listed is None:
        why = foreign_voice(provider, voice, services.settings.openai.tts_model)
        if why is None:
            return  # only the vendor's listing can tell: the tts stage speaks or refuses it
        raise ApiError(
            400,
            "unknown_voice",
            f"The {provider} speech provider has no voice {voice!r}: {why}. Choose one of its "
            f"voices (GET /v1/voices lists them once a tts worker has), {otherwise}",
            param="voice",
        )
    if voice in listed:
        return
    shown = ", ".join(listed[:VOICES_NAMED]) + (" …" if len(listed) > VOICES_NAMED else "")
    raise ApiError(
        400,
        "unknown_voice",
        f"The {provider} speech provider has no voice {voice!r}. Choose one of: {shown} "
        f"(GET /v1/voices lists them all), {otherwise}",
        param="voice",
    )
