"""A person's review on the running stack: a voicemail runs through the pipeline in a batch,
a review corrects its callback number, and the inbox, the batch's export, the evaluation set
and the job's webhook (verified as a client verifies it) all carry the correction."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from typing import Any

import pytest

from tests.integration.conftest import WEBHOOK_SECRET, RunningStack
from tests.local_http import LocalServer, WebhookReceiver
from tests.quality.report import SET_DIR

pytestmark = pytest.mark.integration

RECORDING = (SET_DIR / "audio" / "vm01.wav").read_bytes()
CORRECTED = "+16172384410"


def _finished_batch(stack: RunningStack, callback_url: str) -> dict[str, Any]:
    files = [("file", ("vm01.wav", RECORDING))]
    fields = {"stages": "stt,llm", "callback_url": callback_url}
    created = stack.http.post("/v1/batches", files=files, data=fields)
    assert created.status_code == 202, created.text
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        batch: dict[str, Any] = stack.http.get(f"/v1/batches/{created.json()['id']}").json()
        if batch["status"] == "completed":
            return batch
        time.sleep(0.25)
    raise TimeoutError("the batch did not complete")


def _reviewed_event(receiver: WebhookReceiver, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for received in receiver.accepted():
            event = received.event or {}
            if event.get("type") == "job.reviewed" and event["data"]["job_id"] == job_id:
                return event
        time.sleep(0.1)
    raise AssertionError(f"no job.reviewed event: {receiver.received}")


def test_a_corrected_callback_number_reaches_the_inbox_the_exports_and_the_webhook(
    running_stack: RunningStack,
) -> None:
    http = running_stack.http
    receiver = WebhookReceiver(WEBHOOK_SECRET)
    with LocalServer() as server:
        server.answer = receiver.answer
        batch = _finished_batch(running_stack, f"{server.url}/hook")
        [job] = http.get(f"/v1/batches/{batch['id']}/jobs").json()["jobs"]
        assert job["status"] == "succeeded", job
        machine = job["results"]["triage"]["callback_number"]

        answer = http.post(
            f"/v1/jobs/{job['id']}/reviews",
            json={"corrections": {"callback_number": "(617) 238-4410"}, "done": True},
        )
        event = _reviewed_event(receiver, job["id"])

    assert answer.status_code == 201, answer.text
    review = answer.json()
    fix = {"field": "callback_number", "before": machine, "after": CORRECTED}
    assert review["corrections"] == [fix]
    assert event["data"]["review_id"] == review["id"]
    assert event["data"]["corrections"] == [fix]
    assert event["data"]["done"] is True
    assert event["data"]["reviewer"] == "anonymous"

    inbox = http.get("/v1/inbox", params={"batch_id": batch["id"], "reviewed": "true"}).json()
    assert [(r["job_id"], r["callback_number"]) for r in inbox["rows"]] == [(job["id"], CORRECTED)]

    exported = http.get(f"/v1/batches/{batch['id']}/results", params={"format": "csv"})
    [row] = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert row["reviewed"] == "true"
    assert row["corrected_callback_number"] == "'" + CORRECTED, "neutralised like every + cell"
    assert row["reviewer"] == "anonymous"

    recording = http.get(f"/v1/jobs/{job['id']}/audio")
    assert recording.content == RECORDING
    assert recording.headers["content-type"] == "audio/wav"

    evaluation = http.get(f"/v1/batches/{batch['id']}/evaluation-set")
    archive = zipfile.ZipFile(io.BytesIO(evaluation.content))
    [entry] = json.loads(archive.read("voicemails.json"))
    assert entry["expected"]["callback_number"] == CORRECTED
    assert archive.read(entry["file"]) == RECORDING
