"""The reply stage reads the transcription as the record keeps it: its words and the
engine's details, among them the second hearings of the callback number."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from shared.models import Job, JobResults, Stage, StageStatus
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.factories import wav_input_meta
from workers.llm import heard, respond_job

# A flite voicemail as the offline engines heard it (an adversarial tester's, 4 runs of 4):
# Whisper wrote 4400, its own second hearing of the number and both of Moonshine's 4410.
WHISPER = (
    "Hello, this is Tom Alvarez. The water heater is leaking everywhere. It is urgent. "
    "Call me at 617-238-4400."
)
DETAILS: dict[str, Any] = {
    "engine": "faster-whisper",
    "callback_rehearing": {"text": "me at 617-238-4410.", "start_s": 5.64, "end_s": 9.53},
    "second_engine": {
        "engine": "moonshine",
        "text": "Hello, this is Tom Alvarez, the water heater is leaking everywhere, it is "
        "urgent, call me at 617-238-4410",
    },
    "callback_rehearing_second_engine": {"engine": "moonshine", "text": "Meet 617-238-4410."},
}


def _transcribed(tmp_path: Path) -> tuple[Job, Any]:
    job = Job(input=wav_input_meta(key="k", size_bytes=10))
    stt = job.stages[Stage.STT]
    stt.status, stt.provider = StageStatus.SUCCEEDED, "local"
    job.results.transcript = WHISPER
    job.results.transcription = {**DETAILS, "mean_confidence": 0.92}
    ctx = SimpleNamespace(
        settings=Settings(data_dir=tmp_path),
        storage=LocalStorage(tmp_path / "objects"),
        jobs=SimpleNamespace(thread_before=lambda _job, **_: []),
    )
    return job, ctx


def test_the_transcript_read_from_the_record_keeps_the_engines_details(tmp_path: Path) -> None:
    job, ctx = _transcribed(tmp_path)

    transcript = heard(job, ctx)

    assert transcript.text == WHISPER
    assert transcript.details == DETAILS  # the record's own mean_confidence left out


def test_a_number_both_engines_heard_otherwise_is_not_given_as_certain(tmp_path: Path) -> None:
    # Before, the stage read the words alone: +16172384400, needs_review false, no reason.
    job, ctx = _transcribed(tmp_path)
    results = JobResults()

    respond_job(job, ctx).record_results(results, "reply.json")

    assert results.triage is not None
    assert results.triage.callback_number == "+16172384410"
    assert "callback_number_unconfirmed" in results.review_reasons
    assert results.needs_review
