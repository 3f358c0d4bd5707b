"""Voice names that can be checked without asking a vendor: what the start-up check of
``VOICEPIPE_PROVIDERS__TTS_VOICE`` and the tts providers share."""

from __future__ import annotations

import re

# The bundled offline voice (shared.audio.offline_voice), the local provider's only one.
OFFLINE_VOICE = "joe"

# What OpenAI's tts-1 and tts-1-hd speak; they answer any other voice with a 400.
CLASSIC_VOICES: tuple[str, ...] = (
    *("alloy", "ash", "coral", "echo", "fable"),
    *("nova", "onyx", "sage", "shimmer"),
)
# gpt-4o-mini-tts (and, as far as we know, a compatible server's own models) speaks these too.
NEWER_VOICES: tuple[str, ...] = ("ballad", "verse", "marin", "cedar")
VOICES: tuple[str, ...] = (*CLASSIC_VOICES, *NEWER_VOICES)
_CLASSIC_MODELS = frozenset({"tts-1", "tts-1-hd"})

# Every Google voice is named by its language first: en-US-Neural2-F, cmn-CN-Wavenet-A.
_GOOGLE_NAME = re.compile(r"[a-z]{2,3}-[A-Za-z0-9]{2,4}-\S+")


def voices_of(model: str) -> tuple[str, ...]:
    """The voices OpenAI's ``model`` speaks."""
    return CLASSIC_VOICES if model in _CLASSIC_MODELS else VOICES


def fixed_voices(provider: str, openai_model: str) -> list[str] | None:
    """The voices ``provider`` has whatever its listing says, as its tts provider lists them
    (the bundled voice; OpenAI's per model), so the API can name them before a tts worker
    has published its list; None where only that listing can tell."""
    if provider == "local":
        return [OFFLINE_VOICE]
    if provider == "openai":
        return list(voices_of(openai_model))
    return None


def foreign_voice(provider: str, voice: str, openai_model: str) -> str | None:
    """Why ``provider`` can have no voice ``voice``, or None where it may. ElevenLabs names
    its voices freely (an account's own voices too) and a plugin's are its own business:
    only their listing, at run time, can tell."""
    if provider == "local" and voice != OFFLINE_VOICE:
        return f"the local voice engine has only the voice {OFFLINE_VOICE!r}"
    if provider == "openai" and voice not in voices_of(openai_model):
        offered = ", ".join(voices_of(openai_model))
        return f"OpenAI {openai_model} has no voice {voice!r}; available: {offered}"
    if provider == "google" and not _GOOGLE_NAME.fullmatch(voice):
        return "Google's voices are named by their language, such as en-US-Neural2-F"
    return None
