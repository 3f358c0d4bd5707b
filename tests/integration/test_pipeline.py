"""Audio uploaded over HTTP goes through the three real worker pools and comes back."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.audio import decode_pcm16k
from shared.wer import word_error_rate
from tests.audio_factory import encode_samples
from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

SCRIPT = (
    "Hi, this is Tom Baker. I have a question about my last bill. I think I was charged "
    "twice this month. Call me back at seven one three, five five five, four four six one."
)


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


def _submit(stack: RunningStack, data: bytes, name: str = "voicemail.wav", **fields: str) -> Any:
    return stack.http.post("/v1/jobs", files={"file": (name, data, "audio/wav")}, data=fields)


def test_uploaded_voicemail_is_transcribed_answered_and_spoken(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    response = _submit(running_stack, voicemail_wav)
    assert response.status_code == 202, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"/v1/jobs/{created['id']}")
    assert created["status"] == "queued"
    assert created["input"]["container"] == "wav"

    job = running_stack.wait(created["id"])

    assert job["status"] == "succeeded", job.get("error")
    assert word_error_rate(SCRIPT, job["results"]["transcript"]) <= 0.35
    assert job["results"]["triage"]["callback_number"] == "+17135554461"
    assert 0 < len(job["results"]["reply"].split()) <= 100
    # A named caller, a valid number and a billing question: nothing for a person to check
    # unless the engine was unsure of the words.
    reasons = set(job["results"]["review_reasons"])
    assert reasons <= {"low_confidence", "callback_number_unconfirmed"}, reasons
    assert job["results"]["needs_review"] is bool(reasons)
    sound = job["results"]["analysis"]["audio"]
    assert sound["bandwidth"] == "wideband"
    assert 0 < sound["speech_s"] <= sound["duration_s"]
    assert sound["pitch_hz_median"] is not None
    assert job["results"]["analysis"]["tone"]["emotion"] in {"calm", "frustrated"}
    for stage in ("stt", "llm", "tts"):
        record = job["stages"][stage]
        assert record["status"] == "succeeded"
        assert record["provider"] == "local"
        assert record["attempts"] == 1
        assert record["duration_s"] > 0
        assert running_stack.storage.exists(record["output_key"])


def test_every_stage_output_is_in_storage_under_the_job(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    job = running_stack.wait(_submit(running_stack, voicemail_wav).json()["id"])

    keys = running_stack.storage.list(f"default/jobs/{job['id']}/")
    names = sorted(key.rsplit("/", 1)[1] for key in keys)
    assert names == ["input.wav", "reply.json", "reply.mp3", "transcript.json"]
    assert running_stack.storage.get(job["input"]["key"]) == voicemail_wav
    transcript = json.loads(running_stack.storage.get(keys[names.index("transcript.json")]))
    assert transcript["text"] == job["results"]["transcript"]
    assert transcript["words"], "the local engine keeps word timings"


def test_an_amr_voicemail_is_transcribed_and_gets_an_mp3_listening_copy(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    # As phones and carriers' visual voicemail deliver it: AMR narrow band, 8 kHz.
    amr = encode_samples(decode_pcm16k(voicemail_wav), "amr", 16000)
    response = _submit(running_stack, amr, name="voicemail.amr", stages="stt")
    assert response.status_code == 202, response.text
    assert (response.json()["input"]["container"], response.json()["input"]["codec"]) == (
        "amr",
        "amr_nb",
    )

    job = running_stack.wait(response.json()["id"])

    assert job["status"] == "succeeded", job.get("error")
    assert word_error_rate(SCRIPT, job["results"]["transcript"]) <= 0.35
    copy = running_stack.http.get(job["links"]["listening_copy"])
    assert copy.headers["content-type"] == "audio/mpeg"
    assert copy.content == running_stack.storage.get(job["results"]["listening_copy_key"])
    seconds = len(decode_pcm16k(copy.content)) / 16000
    assert seconds == pytest.approx(job["input"]["duration_s"], abs=0.2)


def test_a_recording_browsers_play_as_it_is_gets_no_listening_copy(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    job = running_stack.wait(_submit(running_stack, voicemail_wav, stages="stt").json()["id"])

    answer = running_stack.http.get(f"/v1/jobs/{job['id']}/listening-copy")

    assert job["results"]["listening_copy_key"] is None
    assert "listening_copy" not in job["links"]
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_needed")
    assert f"/v1/jobs/{job['id']}/audio" in answer.json()["error"]["message"]


def test_a_recording_that_asked_for_no_redaction_has_no_redacted_copy_to_wait_for(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    job = running_stack.wait(_submit(running_stack, voicemail_wav, stages="stt").json()["id"])

    answer = running_stack.http.get(f"/v1/jobs/{job['id']}/redacted-audio")

    assert "redacted_audio" not in job["links"]
    assert (answer.status_code, answer.json()["error"]["code"]) == (409, "not_requested")
    assert "redact_audio=bleep" in answer.json()["error"]["message"]


def test_transcript_is_served_as_text_and_as_json(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    job = running_stack.wait(_submit(running_stack, voicemail_wav).json()["id"])

    as_json = running_stack.http.get(f"/v1/jobs/{job['id']}/transcript")
    as_text = running_stack.http.get(f"/v1/jobs/{job['id']}/transcript", params={"format": "text"})

    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["text"] == job["results"]["transcript"]
    assert as_text.headers["content-type"].startswith("text/plain")
    assert as_text.text.strip() == job["results"]["transcript"]


def test_reply_audio_downloads_with_its_content_type_and_decodes_to_sound(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    job = running_stack.wait(
        _submit(running_stack, voicemail_wav, output_format="ogg").json()["id"]
    )

    audio = running_stack.http.get(f"/v1/jobs/{job['id']}/reply")

    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/ogg"
    assert len(decode_pcm16k(audio.content)) / 16000 >= 1.0


def test_transcription_only_job_ends_after_its_stage(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    job = running_stack.wait(_submit(running_stack, voicemail_wav, stages="stt").json()["id"])

    assert job["status"] == "succeeded"
    assert list(job["stages"]) == ["stt"]
    assert job["results"]["reply"] is None
    reply = running_stack.http.get(f"/v1/jobs/{job['id']}/reply")
    assert reply.status_code == 409
    assert reply.json()["error"]["code"] == "not_requested"


def test_unknown_job_answers_404_with_a_code(running_stack: RunningStack) -> None:
    response = running_stack.http.get("/v1/jobs/job_doesnotexist")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "job_not_found"


def test_readiness_reports_broker_storage_and_a_live_worker_per_pool(
    running_stack: RunningStack,
) -> None:
    response = running_stack.http.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"broker": "ok", "storage": "ok", "pools": "ok"}
    assert set(response.json()["pools"]) == {"stt", "llm", "tts", "ingest", "webhooks"}
    assert all(count >= 1 for count in response.json()["pools"].values())
