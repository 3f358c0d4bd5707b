"""What the usage ledger reads from a job's results: who did the metered work, on which
model, and the counts they recorded.

The ledger (shared.usage) prices a succeeded stage's run from these, and shared.run_billing
charges a run whose output the job did not take from the same readings, so that a run is
metered alike whether or not its answer was kept. ``metered_results`` is the part of the
results these read, what retention keeps so that a job's usage reads the same after.
"""

from __future__ import annotations

from typing import Any

from shared.models import Billed, Job, JobResults, Stage
from shared.provider_catalog import spec
from shared.settings import Settings

# What the ledger reads from a transcription's details: engines and models, and counts.
_METERED_DETAILS = (
    "engine",
    "model",
    "engines_used",
    "engines_not_called",
    "skipped",
    "usage",
    "engine_usage",
    "engine_billed",
    "engine_fallbacks",
    "reconcile_usage",
)


def metered_results(results: JobResults) -> JobResults:
    """Only what a job's usage is read from, none of what the recording said: what retention
    keeps of a job's results, so that its usage and cost read the same after as before."""
    details = results.transcription
    kept = {name: details[name] for name in _METERED_DETAILS if name in details}
    inner = details.get("engine_details")
    if isinstance(inner, dict):
        metered = {name: inner[name] for name in ("model", "skipped") if name in inner}
        if metered:
            kept["engine_details"] = metered
    characters = results.spoken_characters
    if characters is None and results.reply is not None:
        characters = len(results.reply)  # a record from before the tts stage counted
    return JobResults(transcription=kept, usage=results.usage, spoken_characters=characters)


def stt_tokens(
    details: dict[str, Any], settings: Settings
) -> list[tuple[str, dict[str, Any], str | None]]:
    """Tokens the stt stage spent, with who spent them and on which model: Claude hearing
    the audio as the provider or as a hybrid's engine, and Claude reconciling a hybrid."""
    spent: list[tuple[str, dict[str, Any], str | None]] = []
    heard = details.get("usage")
    if isinstance(heard, dict):
        model = heard.get("model") or details.get("model") or settings.anthropic.model
        spent.append(("claude", heard, model))
    engines = details.get("engine_usage")
    for engine, used in (engines if isinstance(engines, dict) else {}).items():
        if isinstance(used, dict):
            spent.append((str(engine), used, used.get("model") or settings.anthropic.model))
    merged = details.get("reconcile_usage")
    if isinstance(merged, dict):
        spent.append(("claude", merged, merged.get("model") or settings.anthropic.model))
    return spent


def stt_billed(details: dict[str, Any]) -> list[Billed]:
    """What a hybrid's engines that failed beside its kept transcript were billed by the
    audio or the text (their tokens are in engine_usage), each naming engine and model."""
    found = details.get("engine_billed")
    billed = found if isinstance(found, list) else []
    return [Billed.model_validate(entry) for entry in billed if isinstance(entry, dict)]


def not_called(details: dict[str, Any]) -> str | None:
    """Why a transcription's engine answered without sending the audio anywhere (Whisper
    given silence), itself or as the fallback that stood in for it; None where it did."""
    inner = details.get("engine_details")
    nested = inner.get("skipped") if isinstance(inner, dict) else None
    reason = details.get("skipped") or nested
    return str(reason) if reason else None


def stt_engines(
    details: dict[str, Any], provider: str, settings: Settings
) -> list[tuple[str, str | None]]:
    """Each engine that transcribed the audio, with its model where one is priced; not one
    that answered without hearing it (no vendor billed its seconds)."""
    if not_called(details):
        return []
    used = details.get("engines_used")  # a hybrid's: every engine that answered
    names = [str(n) for n in used] if isinstance(used, list) and used else []
    # Those of a hybrid's engines that answered without a call: the hybrid's own details
    # have no top-level "skipped" for the check above.
    uncalled = details.get("engines_not_called")
    if isinstance(uncalled, dict) and uncalled:
        names = [n for n in names if n not in uncalled]
        if not names:  # not the stage's provider in their place, as below
            return []
    if not names:
        # A fallback names the provider that stood in; an engine's own name for itself
        # (local's "faster-whisper") is not a provider: the stage's provider did the work.
        named = str(details.get("engine") or provider)
        names = [named if spec(Stage.STT.value, named) is not None else provider]
    nested = details.get("engine_details")
    inner = nested if isinstance(nested, dict) else {}
    models: dict[str, str | None] = {
        "whisper": details.get("model") if details.get("engine") == "whisper" else None,
        "claude": details.get("model") if details.get("engine") == "claude" else None,
    }
    models["whisper"] = models["whisper"] or inner.get("model") or settings.openai.stt_model
    models["claude"] = models["claude"] or settings.anthropic.model
    # A hybrid's engine that handed the audio to its fallback: the fallback heard it.
    handed = details.get("engine_fallbacks")
    heard_by = handed if isinstance(handed, dict) else {}
    engines = []
    for name in names:
        other = heard_by.get(name)
        if isinstance(other, dict) and other.get("to"):
            to = str(other["to"])
            # Priced by model as the same engine hearing it itself would be: whisper only.
            recorded = other.get("model") or settings.openai.stt_model
            engines.append((to, str(recorded) if to == "whisper" else None))
        else:
            engines.append((name, models.get(name)))
    return engines


def voice_model(job: Job, provider: str, settings: Settings) -> str | None:
    if provider == "openai":
        return settings.openai.tts_model
    if provider == "elevenlabs":
        return settings.elevenlabs.model_id
    if provider == "google":
        chosen = job.options.voice or settings.providers.voice_for(provider)
        return voice_family(chosen or settings.google.voice_name)
    return None


def voice_family(voice: str) -> str | None:
    """The family Google prices a voice by: en-US-Neural2-F is a Neural2 voice."""
    parts = voice.split("-")
    return parts[2] if len(parts) >= 3 else None
