"""JSON only on the wire, and no transcript or audio in logs or task arguments."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest
from kombu import Connection

from shared.celery_app import create_celery
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration


class _Exploit:
    """Unpickling this creates a file: proof that a worker deserialized pickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_pickled_task_message_is_refused_unopened(
    running_stack: RunningStack, tmp_path: Path
) -> None:
    marker = tmp_path / "unpickled"
    body = pickle.dumps(((_Exploit(marker),), {}, {}))
    log = running_stack.stack.logs_dir / "worker-llm.log"
    refusals_before = _refusals(log)
    with Connection(running_stack.settings.broker.url) as conn:
        producer = conn.Producer()
        producer.publish(
            body,
            routing_key="llm",
            exchange="",
            content_type="application/x-python-serialize",
            content_encoding="binary",
            headers={
                "lang": "py",
                "task": "voicepipe.llm",
                "id": "pickle-probe",
                "retries": 0,
                "argsrepr": "",
                "kwargsrepr": "",
                "origin": "test",
            },
        )
    # Until the worker has taken the message: it says it refused it, or the marker shows
    # it opened it; a deadline instead of a fixed wait longer than either takes.
    deadline = time.monotonic() + 30
    while _refusals(log) == refusals_before and not marker.exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)

    assert not marker.exists(), "a worker unpickled a message"
    assert _refusals(log) > refusals_before, "the worker never said it refused the message"


def _refusals(log: Path) -> int:
    text = log.read_text(errors="replace")
    return sum(
        "Refusing to deserialize" in line or "ContentDisallowed" in line
        for line in text.splitlines()
    )


def test_the_celery_app_accepts_json_only() -> None:
    from shared.settings import Settings

    conf = create_celery(Settings()).conf
    assert conf.accept_content == ["json"]
    assert conf.event_serializer == "json"


def test_task_arguments_are_only_the_job_id_and_logs_hold_no_transcript(
    running_stack: RunningStack,
) -> None:
    from workers.providers.tts.local import PiperTts

    script = "Please call me back about the broken window in the kitchen."
    audio = PiperTts().synthesize(script, None, "wav").data
    created = running_stack.http.post("/v1/jobs", files={"file": ("v.wav", audio)}).json()
    job = running_stack.wait(created["id"])
    assert job["status"] == "succeeded"

    logs = "".join(
        p.read_text(errors="replace") for p in running_stack.stack.logs_dir.glob("*.log")
    )
    transcript = job["results"]["transcript"]
    assert transcript
    assert transcript not in logs
    assert job["results"]["reply"] not in logs
    assert "kitchen" not in logs.lower()
