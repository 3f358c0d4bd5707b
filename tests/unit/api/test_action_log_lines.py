"""Every change a caller asks of a job or a batch leaves one INFO line in the API's log,
carrying the job or batch and the tenant (as the creation line of a job does, through the
log context), and never a file's name, a transcript or a value a person typed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.logging import CONTEXT_FIELDS, WithContext
from shared.models import JobStatus
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job
from tests.unit.api.app_client import app_client
from tests.unit.workers.test_batch_retry_cancel import completed_batch

ACME_KEY = "vp_" + "c" * 43
ACME = {"Authorization": f"Bearer {ACME_KEY}"}


@dataclass(frozen=True)
class Line:
    level: int
    message: str
    context: dict[str, str]


@pytest.fixture
def api_log() -> Iterator[list[Line]]:
    """The lines of the voicepipe.api logger, each with the context fields it carries."""
    lines: list[Line] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            fields = {n: getattr(record, n) for n in CONTEXT_FIELDS if hasattr(record, n)}
            lines.append(Line(record.levelno, record.getMessage(), fields))

    handler = Capture()
    handler.addFilter(WithContext())
    logger = logging.getLogger("voicepipe.api")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url},
        storage={"local_dir": tmp_path / "objects"},
        auth={"keys": [key_entry("acme", ACME_KEY)]},
    )
    return TestClient(create_app(settings))


def _services(http: TestClient) -> Any:
    return http.app.state.services  # type: ignore[attr-defined]


def _about(lines: list[Line], **context: str) -> list[Line]:
    """The lines that carry these context fields."""
    return [line for line in lines if context.items() <= line.context.items()]


def test_a_cancel_logs_the_job_canceled_for_its_tenant(
    http: TestClient, api_log: list[Line]
) -> None:
    job = voicemail_job(tenant="acme", status=JobStatus.TRANSCRIBING, transcript=None)
    _services(http).jobs.create(job)

    assert http.post(f"/v1/jobs/{job.id}/cancel", headers=ACME).status_code == 200
    assert http.post(f"/v1/jobs/{job.id}/cancel", headers=ACME).status_code == 200

    lines = _about(api_log, job_id=job.id, tenant="acme")
    assert [(line.level, line.message) for line in lines] == [
        (logging.INFO, f"job {job.id} canceled"),
        (logging.INFO, f"job {job.id} not canceled: it had already ended (canceled)"),
    ]


def test_a_retry_logs_the_job_and_the_stage_it_runs_again_from(
    http: TestClient, api_log: list[Line]
) -> None:
    job = voicemail_job(tenant="acme", status=JobStatus.FAILED, transcript=None)
    services = _services(http)
    services.jobs.create(job)
    services.storage.put(job.input.key, b"RIFF-recording", "audio/wav")

    answer = http.post(f"/v1/jobs/{job.id}/retry", headers=ACME)

    assert answer.status_code == 202, answer.text
    lines = _about(api_log, job_id=job.id, tenant="acme")
    assert [(line.level, line.message) for line in lines] == [
        (logging.INFO, f"job {job.id} retried from its stt stage")
    ]


def test_a_delete_logs_the_job_deleted(http: TestClient, api_log: list[Line]) -> None:
    job = voicemail_job(tenant="acme")
    _services(http).jobs.create(job)

    assert http.delete(f"/v1/jobs/{job.id}", headers=ACME).status_code == 204

    lines = _about(api_log, job_id=job.id, tenant="acme")
    assert [line.message for line in lines] == [f"job {job.id} deleted"]


def test_a_batch_logs_its_creation_without_the_names_of_its_files(
    http: TestClient, api_log: list[Line]
) -> None:
    files = [("file", ("Dana Whitfield 4155550188.wav", b"RIFF")), ("file", ("b.wav", b"RIFF"))]

    answer = http.post("/v1/batches", files=files, headers=ACME)

    assert answer.status_code == 202, answer.text
    batch_id = answer.json()["id"]
    lines = _about(api_log, batch_id=batch_id, tenant="acme")
    assert [(line.level, line.message) for line in lines] == [
        (logging.INFO, f"batch {batch_id} created (upload, 2 items)")
    ]
    assert not [line for line in api_log if "Whitfield" in line.message or "4155" in line.message]


def test_a_batch_cancel_and_retry_are_logged_for_its_tenant(
    tmp_path: Path, valkey: ValkeyProcess, api_log: list[Line]
) -> None:
    http = app_client(tmp_path, valkey)  # open access: every caller is tenant "default"
    batch = completed_batch(_services(http), [JobStatus.FAILED, JobStatus.SUCCEEDED])

    retried = http.post(f"/v1/batches/{batch.id}/retry")
    canceled = http.post(f"/v1/batches/{batch.id}/cancel")

    assert (retried.status_code, canceled.status_code) == (202, 202), canceled.text
    lines = _about(api_log, batch_id=batch.id, tenant="default")
    assert [(line.level, line.message) for line in lines] == [
        (logging.INFO, f"batch {batch.id} retried: its failed jobs are to be queued again"),
        (logging.INFO, f"batch {batch.id} canceled: its unfinished jobs are to be canceled"),
    ]


def test_a_review_is_logged_with_its_tenant_and_never_the_values_it_corrected(
    http: TestClient, api_log: list[Line]
) -> None:
    job = voicemail_job(tenant="acme", callback_number="+14158672291")
    services = _services(http)
    services.jobs.create(job)
    services.storage.put(job.input.key, b"RIFF-recording", "audio/wav")
    corrections = {"caller_name": "Priscilla Okafor", "callback_number": "+1 617 238 4410"}

    answer = http.post(
        f"/v1/jobs/{job.id}/reviews", json={"corrections": corrections}, headers=ACME
    )

    assert answer.status_code == 201, answer.text
    lines = _about(api_log, job_id=job.id, tenant="acme")
    assert [line.level for line in lines] == [logging.INFO]
    assert lines[0].message.startswith(f"review {answer.json()['id']} of job {job.id}")
    logged = " ".join(line.message for line in api_log)
    assert "Okafor" not in logged
    assert "238" not in logged


def test_a_requests_log_lines_carry_the_request_id_its_answer_gives(
    http: TestClient, api_log: list[Line]
) -> None:
    # The id an SDK user quotes (error.request_id) finds the API's lines for that request.
    job = voicemail_job(tenant="acme", status=JobStatus.TRANSCRIBING, transcript=None)
    _services(http).jobs.create(job)

    answer = http.post(f"/v1/jobs/{job.id}/cancel", headers=ACME)

    [line] = _about(api_log, job_id=job.id)
    assert line.context["request_id"] == answer.headers["x-request-id"]
