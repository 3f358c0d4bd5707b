"""GET /v1/batches/{id}/evaluation-set: the batch's reviewed recordings with what people
settled on, in the format `make quality` reads, which the quality report accepts and scores."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from api.security import key_entry
from shared.batches import Batch, BatchItem, batch_job_id
from shared.models import InputMeta, Job
from shared.settings import Settings
from shared.wer_words import compared_words
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.quality import report
from workers.providers.stt.whisper_offline import WhisperOfflineStt

KEY = "vp_" + "a" * 43
ACME = {"Authorization": f"Bearer {KEY}"}
VM01 = json.loads((report.SET_DIR / "voicemails.json").read_text())[0]
CLIP = report.SET_DIR / VM01["file"]
HEARD = VM01["text"]


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, auth={"keys": [key_entry("acme", KEY)]}
    )
    return TestClient(create_app(settings))


def _services(http: TestClient) -> Services:
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    return services


def _batch(http: TestClient, jobs: int) -> tuple[Batch, list[Job]]:
    services = _services(http)
    batch = Batch(tenant="acme", source="manifest")
    services.batches.create(batch, [BatchItem(key=f"{i}.wav") for i in range(jobs)])
    made = []
    for i in range(jobs):
        job = voicemail_job(
            id=batch_job_id(batch.id, i),
            batch_id=batch.id,
            batch_index=i,
            transcript=HEARD,
            caller_name="Dana Whitaker",
            callback_number="+14158672290",
            intent="appointment",
        )
        services.jobs.create_batch_job(job)
        services.storage.put(job.input.key, CLIP.read_bytes(), "audio/wav")
        made.append(job)
    return batch, made


def _review(http: TestClient, job: Job, done: bool = True, **corrections: str) -> None:
    body = {"corrections": corrections, "done": done}
    answer = http.post(f"/v1/jobs/{job.id}/reviews", json=body, headers=ACME)
    assert answer.status_code == 201, answer.text


def test_the_reviewed_recordings_come_with_their_corrected_answers_and_the_rest_stay_out(
    http: TestClient, tmp_path: Path
) -> None:
    batch, (fixed, pending, _untouched) = _batch(http, 3)
    _review(http, fixed, callback_number="415 867 2291", transcript="Hi, this is Dana.")
    _review(http, pending, done=False, intent="repair")

    answer = http.get(f"/v1/batches/{batch.id}/evaluation-set", headers=ACME)

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == [
        "audio/" + fixed.id + ".wav",
        "export.json",
        "voicemails.json",
    ]
    [entry] = json.loads(archive.read("voicemails.json"))
    assert entry["expected"] == {
        "caller_name": "Dana Whitaker",
        "callback_number": "+14158672291",
        "callback_partial": False,
        "intent": "appointment",
        "urgency": "normal",
    }
    assert entry["text"] == "Hi, this is Dana."
    assert archive.read(entry["file"]) == CLIP.read_bytes()
    assert json.loads(archive.read("export.json"))["voicemails"] == 1


def test_an_exported_set_is_accepted_and_scored_by_the_quality_report(
    http: TestClient, tmp_path: Path
) -> None:
    batch, (job,) = _batch(http, 1)
    _review(http, job, callback_number="+14158672291")
    answer = http.get(f"/v1/batches/{batch.id}/evaluation-set", headers=ACME)
    folder = tmp_path / "eval"
    zipfile.ZipFile(io.BytesIO(answer.content)).extractall(folder)

    entries = report.load_set(folder)
    stt = WhisperOfflineStt()
    stt.load()
    outcome = report.run_clip(entries[0], stt, Settings(), folder)

    assert outcome.id == job.id
    assert outcome.callback_expected == "+14158672291"
    assert outcome.intent_expected == "appointment"
    assert outcome.words == len(compared_words(HEARD))
    assert "reschedule" in outcome.hypothesis, "the offline engine heard the exported recording"


def test_the_report_says_what_a_set_lacks(tmp_path: Path) -> None:
    (tmp_path / "voicemails.json").write_text(json.dumps([{"id": "x", "text": "hi"}]))

    with pytest.raises(ValueError, match="entry 0 lacks voice, delivery, file, expected"):
        report.load_set(tmp_path)
    with pytest.raises(ValueError, match=r"voicemails\.json"):
        report.load_set(tmp_path / "absent")


def test_a_batch_without_a_reviewed_recording_has_no_set_to_export(http: TestClient) -> None:
    services = _services(http)
    batch = Batch(tenant="acme", source="manifest")
    services.batches.create(batch, [BatchItem(text="Call me back", typed=True)])
    typed = InputMeta(
        kind="text", media_type="text/plain", container="txt", codec="utf-8", size_bytes=12,
        duration_s=0.0, sample_rate=0, channels=0, sha256="0" * 64, key="acme/typed.txt",
    )  # fmt: skip
    job = voicemail_job(id=batch_job_id(batch.id, 0), batch_id=batch.id, batch_index=0, input=typed)
    services.jobs.create_batch_job(job)
    _review(http, job)

    answer = http.get(f"/v1/batches/{batch.id}/evaluation-set", headers=ACME)

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "no_reviewed_recordings"
    # Before: "mark its jobs done", of a job marked done already; now why it is left out.
    assert "1 made from typed text: no recording" in answer.json()["error"]["message"]
    assert "mark its jobs done" not in answer.json()["error"]["message"]


def test_a_redacted_jobs_answers_are_tokens_and_stay_out_of_the_set(http: TestClient) -> None:
    # Before, "[PHONE_NUMBER]" went in as the expected callback number beside the recording
    # that says the number: make quality counted every such callback wrong.
    batch, (plain, redacted) = _batch(http, 2)

    def tokens(job: Job) -> bool:
        assert job.results.triage is not None
        job.results.triage.callback_number = "[PHONE_NUMBER]"
        return True

    _services(http).jobs.update(redacted.id, tokens)
    _review(http, plain)
    _review(http, redacted)

    answer = http.get(f"/v1/batches/{batch.id}/evaluation-set", headers=ACME)

    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert [e["job_id"] for e in json.loads(archive.read("voicemails.json"))] == [plain.id]
    [left_out] = json.loads(archive.read("export.json"))["excluded"]
    assert left_out["job_id"] == redacted.id
    assert left_out["reason"].startswith("redacted")
