"""What the voice is handed for a redacted text: the token's entity in words, never its
digest read out letter by letter."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import workers.tts as tts
from shared.models import Job, JobOptions, JobResults, Stage, SynthesizedAudio
from shared.redaction_policy import JobRedaction, Substitution
from shared.settings import Settings
from shared.storage import LocalStorage
from shared.text_input import validated_text

TYPED = "Please call Maria back at 415-555-0192 or [EMAIL_ADDRESS] today."


def _job(tmp_path: Path, style: Substitution) -> tuple[Job, Any]:
    settings = Settings(data_dir=tmp_path, redaction={"hash_key": "k"})
    storage = LocalStorage(tmp_path / "objects")
    meta, data = validated_text(TYPED, 1000)
    redact = JobRedaction(style=style)
    job = Job(input=meta, options=JobOptions(stages=[Stage.TTS], redact=redact))
    job.input.key = job.object_key("input.txt")
    storage.put(job.input.key, data, meta.media_type)
    return job, SimpleNamespace(settings=settings, storage=storage)


@pytest.mark.parametrize("style", [Substitution.HASH, Substitution.LABEL])
def test_a_redacted_value_is_spoken_as_its_entity_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, style: Substitution
) -> None:
    heard: list[str] = []

    class Voice:
        def synthesize(self, text: str, voice: str | None, fmt: str) -> SynthesizedAudio:
            heard.append(text)
            return SynthesizedAudio(
                data=b"x", media_type="audio/wav", extension="wav", duration_s=1.0,
                provider="fake", voice="v",
            )  # fmt: skip

    monkeypatch.setattr(tts, "tts_provider", lambda *_: Voice())
    job, ctx = _job(tmp_path, style)

    results = JobResults()
    tts.synthesize_job(job, ctx).record_results(results, "reply.wav")

    assert heard == ["Please call Maria back at phone number or email address today."]
    assert results.spoken_characters == len(heard[0])
    # What is stored stays the token, digest and all: only the voice hears words.
    assert "[PHONE_NUMBER" in ctx.storage.get(job.input.key).decode()


def test_every_entity_token_becomes_words() -> None:
    said = tts.spoken_form("[US_SOCIAL_SECURITY_NUMBER:0a1b2c3d], [DATE_OF_BIRTH] and [FAQ]")
    # A bracketed word that names no entity is the text's own.
    assert said == "US social security number, date of birth and [FAQ]"
