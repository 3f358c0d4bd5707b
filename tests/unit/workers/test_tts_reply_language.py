"""A reply written in another language never reaches the English-only local voice."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import workers.tts as tts
from shared.errors import StageFailed
from shared.models import Job, JobOptions, JobResults, Stage, StageRecord, StageStatus
from shared.settings import Settings
from tests.factories import wav_input_meta
from workers.providers.tts.local import PiperTts


def _replied(language: str | None, reply: str) -> Job:
    job = Job(input=wav_input_meta(), options=JobOptions(tts_provider="local"))
    job.stages[Stage.LLM] = StageRecord(status=StageStatus.SUCCEEDED, provider="claude")
    job.results.reply = reply
    job.results.reply_language = language
    return job


def test_a_french_reply_fails_the_local_voice_naming_the_language_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spoken: list[str] = []
    monkeypatch.setattr(PiperTts, "synthesize", lambda _self, text, *_: spoken.append(text))
    ctx = SimpleNamespace(settings=Settings(data_dir=tmp_path))
    job = _replied("fr", "Merci pour votre message, nous vous rappelons demain matin.")

    with pytest.raises(StageFailed) as caught:
        tts.synthesize_job(job, ctx)  # type: ignore[arg-type]

    assert caught.value.code == "unsupported_language"
    assert "'fr'" in caught.value.message
    assert "tts_provider openai or elevenlabs" in caught.value.message
    assert spoken == []  # the voice never read French with English rules


@pytest.mark.parametrize("language", [None, "en", "en-GB"])
def test_an_english_reply_is_spoken_by_the_local_voice(
    tmp_path: Path, language: str | None
) -> None:
    ctx = SimpleNamespace(settings=Settings(data_dir=tmp_path))
    job = _replied(language, "Thanks for calling, we will call you back tomorrow.")

    results = JobResults()
    tts.synthesize_job(job, ctx).record_results(results, "reply.wav")  # type: ignore[arg-type]

    assert results.spoken_characters == len(job.results.reply or "")
