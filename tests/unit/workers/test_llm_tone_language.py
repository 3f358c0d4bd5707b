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
        jobs=SimpleNamespace(thread_before=lambda _job: []),
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
