"""Typed input: a job made from `text` runs the reply and speech stages of the real pools."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import RunningStack
from tests.integration.test_batches import rows, wait_batch

pytestmark = pytest.mark.integration

MESSAGE = (
    "Hi, this is Dana Whitaker. My dishwasher is leaking all over the kitchen floor, "
    "please call me back today at six one seven, five five five, zero one four two."
)


def _post(stack: RunningStack, **fields: str) -> Any:
    # A multipart form without a file part, as a browser form or `curl -F text=…` sends it.
    return stack.http.post("/v1/jobs", files={"_": (None, "")}, data=fields)


def test_a_text_job_is_answered_triaged_and_spoken_without_a_recording(
    running_stack: RunningStack,
) -> None:
    response = _post(running_stack, text=MESSAGE)
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["input"]["kind"] == "text"
    assert set(created["stages"]) == {"llm", "tts"}

    job = running_stack.wait(created["id"])

    assert job["status"] == "succeeded", job.get("error")
    results = job["results"]
    assert results["transcript"] == MESSAGE
    assert results["transcription"] == {"source": "text"}
    assert results["triage"]["callback_number"] == "+16175550142"
    assert results["triage"]["caller_name"] == "Dana Whitaker"
    assert results["reply"]
    assert results["analysis"]["audio"] is None
    assert results["analysis"]["tone"]["emotion"]
    reply = running_stack.http.get(f"/v1/jobs/{created['id']}/reply")
    assert reply.status_code == 200
    assert len(reply.content) > 1000
    transcript = running_stack.http.get(
        f"/v1/jobs/{created['id']}/transcript", params={"format": "vtt"}
    )
    assert transcript.status_code == 200
    assert transcript.text.startswith("WEBVTT")
    assert "Dana Whitaker" in transcript.text
    for recording in ("audio", "listening-copy", "redacted-audio"):
        answer = running_stack.http.get(f"/v1/jobs/{created['id']}/{recording}")
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "no_recording")


def test_a_text_job_asked_for_its_reply_alone_stops_after_the_reply(
    running_stack: RunningStack,
) -> None:
    created = _post(running_stack, text=MESSAGE, stages="stt,llm").json()

    job = running_stack.wait(created["id"])

    assert job["status"] == "succeeded", job.get("error")
    assert list(job["stages"]) == ["llm"]
    assert job["results"]["reply_audio_key"] is None


@pytest.mark.parametrize(
    ("fields", "files", "status", "code"),
    [
        ({"text": MESSAGE}, {"file": ("a.wav", b"RIFF", "audio/wav")}, 400, "file_and_text"),
        ({"voice": "amy"}, {"_": (None, "")}, 400, "missing_file"),
        ({"text": "   "}, {"_": (None, "")}, 400, "empty_text"),
        ({"text": MESSAGE, "stages": "stt"}, {"_": (None, "")}, 400, "text_needs_reply"),
        ({"text": "x" * 20_001}, {"_": (None, "")}, 413, "text_too_long"),
    ],
    ids=["both", "neither", "blank", "stt-only", "too-long"],
)
def test_a_job_with_both_inputs_neither_or_unusable_text_is_refused_with_what_to_change(
    running_stack: RunningStack,
    fields: dict[str, str],
    files: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = running_stack.jobs.count("default")

    response = running_stack.http.post("/v1/jobs", files=files, data=fields)

    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert "text" in response.json()["error"]["message"]
    assert running_stack.jobs.count("default") == before


def test_a_manifest_takes_text_items_beside_each_other_and_exports_them(
    running_stack: RunningStack,
) -> None:
    items = [
        {"text": MESSAGE, "metadata": {"ticket": "T-1"}},
        {"text": "Please cancel my appointment on Friday. Thanks, Sam."},
        {"text": "y" * 20_001},
    ]
    response = running_stack.http.post("/v1/batches", json={"items": items, "stages": "stt,llm"})
    assert response.status_code == 202, response.text

    batch = wait_batch(running_stack, response.json()["id"])

    assert batch["counts"]["succeeded"] == 2, batch
    assert batch["rejected"] == 1, batch
    exported = {row["item_index"]: row for row in rows(running_stack, batch["id"], "jsonl")}
    assert exported[0]["transcript"] == MESSAGE
    assert exported[0]["metadata"] == {"ticket": "T-1"}
    assert exported[0]["callback_number"] == "+16175550142"
    assert exported[1]["source"] == "text"
    assert exported[1]["intent"] == "cancellation"
    assert exported[2]["failure_code"] == "text_too_long"


def test_a_manifest_item_with_a_text_and_a_url_is_refused_whole(
    running_stack: RunningStack,
) -> None:
    items = [{"text": MESSAGE, "url": "https://example.com/a.mp3"}]

    response = running_stack.http.post("/v1/batches", json={"items": items})

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert 'one of "key", "url" or "text"; this one has "text" and "url"' in message
