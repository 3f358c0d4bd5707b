"""``log_format = "json"``: a stack whose every log line of ours is one JSON object saying
which job, batch, tenant and stage it is about, and in which no transcript, reply or key
appears."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.cli.stack import Stack
from api.security import generate_key, key_entry
from tests.integration.conftest import RunningStack, stack_settings, started

pytestmark = pytest.mark.integration

KEY = generate_key()


@pytest.fixture(scope="module")
def json_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    settings = stack_settings(
        tmp_path_factory.mktemp("json-logs"),
        log_format="json",
        auth={"keys": [key_entry("acme", KEY)]},
        providers={"stt": "pocketsphinx"},
    )
    # Two API processes: uvicorn's supervisor then speaks before any app has set logging up.
    settings = settings.model_copy(update={"api": settings.api.model_copy(update={"processes": 2})})
    with started(Stack(settings, flower=False)) as running:
        running.http.headers["Authorization"] = f"Bearer {KEY}"
        yield running


def _voicemail() -> bytes:
    from workers.providers.tts.local import PiperTts

    text = "Hi, this is Dana Whitfield. Please call me back about order seven four two."
    return PiperTts().synthesize(text, None, "wav").data


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines() if line.strip()]


def _parsed(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def test_each_line_names_its_job_tenant_and_stage_and_no_content_is_logged(
    json_stack: RunningStack,
) -> None:
    created = json_stack.http.post("/v1/jobs", files={"file": ("vm.wav", _voicemail())})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    job = json_stack.wait(job_id)
    assert job["status"] == "succeeded", job
    transcript = job["results"]["transcript"]
    reply = job["results"]["reply"]
    assert transcript
    assert reply
    time.sleep(1)  # the last lines reach the files

    logs = json_stack.settings.data_dir.resolve() / "logs"
    assert _lines(logs / "api.log")
    # Flower's and Valkey's files are theirs; ours hold nothing but JSON, not even Celery's
    # start-up banner or its warning about running as root.
    for ours in ("api.log", "sweeper.log", *(p.name for p in logs.glob("worker-*.log"))):
        plain = [line for line in _lines(logs / ours) if _parsed(line) is None]
        assert plain == [], (ours, plain[:5])
        assert all("color_message" not in line for line in _lines(logs / ours)), ours
    about_job: list[dict[str, Any]] = []
    for name in ("api.log", "worker-stt.log", "worker-llm.log", "worker-tts.log"):
        for line in _lines(logs / name):
            if job_id in line:
                record = _parsed(line)
                assert record is not None, (name, line)
                # uvicorn's access lines name the job in their URL, outside any route.
                if record["logger"].startswith("voicepipe"):
                    about_job.append(record)
    stages = {r.get("stage") for r in about_job if r.get("logger") == "voicepipe.stage"}
    assert stages == {"stt", "llm", "tts"}, about_job
    for record in about_job:
        assert record["job_id"] == job_id, record
        assert record["tenant"] == "acme", record
        assert {"time", "level", "logger", "message"} <= set(record), record

    everything = "\n".join(p.read_text(errors="replace") for p in logs.glob("*.log"))
    assert transcript not in everything
    assert reply[:40] not in everything
    assert KEY not in everything


def test_a_batchs_expansion_lines_name_their_batch(json_stack: RunningStack) -> None:
    files = [("file", ("vm.wav", _voicemail()))]
    created = json_stack.http.post("/v1/batches", files=files, data={"stages": "stt"})
    assert created.status_code == 202, created.text
    batch_id = created.json()["id"]
    deadline = time.monotonic() + 120
    while json_stack.http.get(f"/v1/batches/{batch_id}").json()["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    time.sleep(1)  # the last lines reach the files

    logs = json_stack.settings.data_dir.resolve() / "logs"
    ours = [
        record
        for line in _lines(logs / "worker-ingest.log")
        if batch_id in line and (record := _parsed(line)) is not None
    ]

    assert ours, "the ingest worker logged the batch's expansion"
    assert all(record.get("batch_id") == batch_id for record in ours), ours
