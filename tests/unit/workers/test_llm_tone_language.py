"""The reply stage's tone estimate knows what language the words are in."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from shared.models import Job, JobOptions, JobResults, Stage, StageStatus
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.factories import wav_input_meta
from workers.llm import respond_job


def test_a_french_voicemail_is_not_called_calm_for_lacking_english_words(tmp_path: Path) -> None:
    job = Job(input=wav_input_meta(key="k", size_bytes=10), options=JobOptions(language="fr"))
    stt = job.stages[Stage.STT]
    stt.status, stt.provider = StageStatus.SUCCEEDED, "whisper"
    job.results.transcript = "Je suis furieux, c'est inacceptable, rappelez-moi tout de suite !"
    ctx: Any = SimpleNamespace(
        settings=Settings(data_dir=tmp_path),
        storage=LocalStorage(tmp_path / "objects"),
        jobs=SimpleNamespace(thread_before=lambda _job, **_: []),
    )
    results = JobResults()

    respond_job(job, ctx).record_results(results, "reply.json")

    assert results.analysis is not None
    tone = results.analysis.tone
    assert tone is not None
    # Before: calm at 0.41, "no emotional words", as sure as for an English "call me back".
    assert tone.confidence <= 0.15
    assert "no emotional words" not in tone.cues
    assert any("fr" in cue for cue in tone.cues)


def _responded(tmp_path: Path, language: str, text: str) -> JobResults:
    job = Job(input=wav_input_meta(key="k", size_bytes=10), options=JobOptions(language=language))
    stt = job.stages[Stage.STT]
    stt.status, stt.provider = StageStatus.SUCCEEDED, "whisper"
    job.results.transcript = text
    ctx: Any = SimpleNamespace(
        settings=Settings(data_dir=tmp_path),
        storage=LocalStorage(tmp_path / "objects"),
        jobs=SimpleNamespace(thread_before=lambda _job, **_: []),
    )
    results = JobResults()
    respond_job(job, ctx).record_results(results, "reply.json")
    return results


def test_the_offline_triage_of_words_in_another_language_goes_to_review(tmp_path: Path) -> None:
    # Read by English rules, "annuler mon rendez-vous" was an appointment to book, with a
    # reply offering to book one, and nothing sent the job to a person.
    french = (
        "Bonjour, c'est Pierre Martin. Je voudrais annuler mon rendez-vous de mardi. "
        "Rappelez-moi au 415 555 0198. Merci."
    )
    results = _responded(tmp_path, "fr", french)

    assert "other_language" in results.review_reasons
    assert results.needs_review


def test_an_english_voicemail_is_not_sent_to_review_for_its_language(tmp_path: Path) -> None:
    text = "Hi, this is Ann Lee. Please cancel my appointment on Tuesday. Call 415 555 0198."
    for language in ("en", "en-GB"):
        assert "other_language" not in _responded(tmp_path, language, text).review_reasons
