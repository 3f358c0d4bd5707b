"""GET /v1/jobs/{id}/transcript and /reply say "not ready" only while the output can still
come; a job that will never have it says why (real app, real Valkey)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from api.routes import jobs as job_routes
from shared.models import ErrorInfo, Job, JobOptions, JobStatus, Stage, StageStatus, Transcript
from shared.settings import Settings
from shared.transcript_formats import TranscriptFormat
from shared.transcript_formats import render as render_transcript
from tests.conftest import ValkeyProcess
from tests.factories import wav_input_meta


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, storage={"local_dir": tmp_path / "objects"}
    )
    return TestClient(create_app(settings))


def _stored(http: TestClient, status: JobStatus, stages: list[Stage]) -> Job:
    job = Job(options=JobOptions(stages=stages), input=wav_input_meta(key="in/vm.wav"))
    job.status = status
    if status == JobStatus.FAILED:
        job.stages[Stage.STT].status = StageStatus.FAILED
        job.failed_stage = Stage.STT
        job.error = ErrorInfo(code="stt.undecodable", message="It could not be decoded.")
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    services.jobs.create(job)
    return job


def test_the_reply_of_a_job_whose_stages_leave_out_tts_is_never_coming(
    http: TestClient,
) -> None:
    job = _stored(http, JobStatus.SUCCEEDED, [Stage.STT, Stage.LLM])

    answer = http.get(f"/v1/jobs/{job.id}/reply")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "not_requested"
    assert "submitted with the stages stt,llm, without tts" in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    ("status", "code"),
    [(JobStatus.FAILED, "job_failed"), (JobStatus.CANCELED, "job_canceled")],
)
def test_the_transcript_of_a_job_that_ended_without_one_says_so_and_how_to_retry(
    http: TestClient, status: JobStatus, code: str
) -> None:
    job = _stored(http, status, [Stage.STT, Stage.LLM, Stage.TTS])

    answer = http.get(f"/v1/jobs/{job.id}/transcript")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == code
    assert "Poll" not in answer.json()["error"]["message"]
    assert f"/v1/jobs/{job.id}/retry" in answer.json()["error"]["message"]


def test_the_transcript_of_a_job_still_running_is_not_ready_yet(http: TestClient) -> None:
    job = _stored(http, JobStatus.TRANSCRIBING, [Stage.STT, Stage.LLM, Stage.TTS])

    answer = http.get(f"/v1/jobs/{job.id}/transcript")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "not_ready"
    assert "Poll the job" in answer.json()["error"]["message"]


def test_a_redacting_text_job_serves_no_transcript_until_its_text_is_redacted(
    http: TestClient,
) -> None:
    typed = "Call me back at 617 555 0142 please."
    created = http.post(
        "/v1/jobs", files={"_": (None, "")}, data={"text": typed, "redact": "phone_number"}
    ).json()

    # Queued: the reply stage, which redacts typed text, has not run.
    for fmt in ("txt", "json", "srt", "vtt"):
        answer = http.get(f"/v1/jobs/{created['id']}/transcript", params={"format": fmt})
        assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_ready")
        assert "0142" not in answer.text

    # As the reply stage leaves it: the stored input replaced by its redacted text.
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    job = services.jobs.get(created["id"])
    services.storage.put(job.input.key, b"Call me back at [PHONE_NUMBER] please.", "text/plain")

    def reply_stage_done(stored: Job) -> None:
        stored.stages[Stage.LLM].status = StageStatus.SUCCEEDED

    services.jobs.update(job.id, reply_stage_done)
    answer = http.get(f"/v1/jobs/{created['id']}/transcript", params={"format": "txt"})
    assert answer.text == "Call me back at [PHONE_NUMBER] please.\n"


def test_a_text_job_without_redaction_serves_its_text_as_the_transcript_at_once(
    http: TestClient,
) -> None:
    created = http.post("/v1/jobs", files={"_": (None, "")}, data={"text": "Hello there."}).json()

    answer = http.get(f"/v1/jobs/{created['id']}/transcript", params={"format": "txt"})

    assert (answer.status_code, answer.text) == (200, "Hello there.\n")


def test_a_transcript_is_rendered_off_the_event_loop(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Captions of a half-hour recording take ~0.2 s of CPU: on the loop, every other request
    # of the process (health checks, uploads) would wait for them.
    on_loop: list[bool] = []

    def render(transcript: Transcript, fmt: TranscriptFormat) -> str:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return render_transcript(transcript, fmt)

    monkeypatch.setattr(job_routes, "render_transcript", render)
    created = http.post("/v1/jobs", files={"_": (None, "")}, data={"text": "Hello there."}).json()

    answer = http.get(f"/v1/jobs/{created['id']}/transcript", params={"format": "vtt"})

    assert answer.status_code == 200
    assert on_loop == [False]
