"""Cloud providers in real worker processes, against the vendors' fakes on localhost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from api.cli.stack import Stack
from tests.cloud_fakes import CloudFakes
from tests.integration.conftest import RunningStack, stack_settings, started

pytestmark = pytest.mark.integration

SCRIPT = (
    "Hi, this is Tom Baker. I have a question about my last bill. Call me back at seven one "
    "three, five five five, four four six one."
)


@pytest.fixture(scope="module")
def fakes() -> Iterator[CloudFakes]:
    running = CloudFakes().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cloud_stack(
    tmp_path_factory: pytest.TempPathFactory, fakes: CloudFakes
) -> Iterator[RunningStack]:
    settings = stack_settings(
        tmp_path_factory.mktemp("cloud"),
        retries={"max_attempts": 3, "base_delay_s": 0.2, "max_delay_s": 1.0},
        hybrid={"reconcile_below": 0.95, "review_below": 0.85},
        **fakes.settings(timeout_s=5.0),
    )
    with started(Stack(settings, flower=False)) as running:
        yield running


@pytest.fixture(scope="module")
def voicemail() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


@pytest.fixture(autouse=True)
def _clean_fakes(fakes: CloudFakes) -> None:
    fakes.reset()
    fakes.openai.transcript_text = None


def _run(stack: RunningStack, audio: bytes, **options: str) -> dict[str, Any]:
    response = stack.http.post("/v1/jobs", files={"file": ("vm.wav", audio)}, data=options)
    assert response.status_code == 202, response.text
    return stack.wait(response.json()["id"])


def test_claude_transcription_falls_back_when_the_api_refuses_audio_and_says_so(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    job = _run(cloud_stack, voicemail, stt_provider="claude", stages="stt")

    assert job["status"] == "succeeded", job["error"]
    transcription = job["results"]["transcription"]
    assert transcription["fallback"]["from"] == "claude"
    assert transcription["fallback"]["to"] == "whisper", "OpenAI has a key here"
    assert "audio" in transcription["fallback"]["reason"]
    assert job["stages"]["stt"]["provider"] == "claude"
    sent = fakes.anthropic.calls("/v1/messages")[0].json()
    assert sent["messages"][0]["content"][0]["type"] == "audio"
    assert fakes.openai.calls("/v1/audio/transcriptions"), "the fallback engine ran"


def test_hybrid_reports_agreement_spans_reconciliation_and_review(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    # Whisper "hears" other words than the offline engine on purpose.
    fakes.openai.transcript_text = (
        "Hi this is Tom Walker I have a question about my "
        "last payment call me back at seven one three five five "
        "five nine nine nine nine"
    )

    job = _run(cloud_stack, voicemail, stt_provider="hybrid", stages="stt")

    assert job["status"] == "succeeded", job["error"]
    details = job["results"]["transcription"]
    assert details["engines_used"] == ["whisper", "local"]
    assert 0 < details["agreement"] < 0.85
    assert any("walker" in [w.lower() for w in span["ref"]] for span in details["spans"])
    assert details["reconciled_by"] == "claude"
    assert details["reconciled"] == job["results"]["transcript"]
    assert set(details["transcripts"]) == {"whisper", "local"}
    assert job["results"]["needs_review"] is True
    assert fakes.anthropic.calls("/v1/messages"), "Claude reconciled the two"


def test_a_rate_limited_reply_waits_as_told_and_then_succeeds(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    fakes.anthropic.fail_next(fakes.anthropic.error(429, retry_after=1.5).on("/v1/messages"))

    job = _run(cloud_stack, voicemail, llm_provider="claude", stages="stt,llm")

    assert job["status"] == "succeeded", job["error"]
    assert job["stages"]["llm"]["attempts"] == 2
    calls = [c for c in fakes.anthropic.calls("/v1/messages")]
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 1.5, "Retry-After was honoured"
    assert job["results"]["triage"]["callback_number"] == "+17135554461"
    assert job["results"]["usage"]["output_tokens"] > 0


def test_overload_and_server_errors_are_retried_until_success(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    fakes.elevenlabs.fail_next(fakes.elevenlabs.error(503), fakes.elevenlabs.error(500))

    job = _run(cloud_stack, voicemail, tts_provider="elevenlabs")

    assert job["status"] == "succeeded", job["error"]
    assert job["stages"]["tts"]["attempts"] == 3
    assert cloud_stack.http.get(f"/v1/jobs/{job['id']}/reply").status_code == 200


def test_a_rejected_key_fails_the_job_at_once_with_auth_failed(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    fakes.anthropic.fail_next(fakes.anthropic.error(401).on("/v1/messages"))

    job = _run(cloud_stack, voicemail, llm_provider="claude", stages="stt,llm")

    assert job["status"] == "failed"
    assert job["error"]["code"] == "llm.auth_failed"
    assert job["stages"]["llm"]["attempts"] == 1
    assert len(fakes.anthropic.calls("/v1/messages")) == 1


def test_retries_run_out_into_retries_exhausted(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    fakes.anthropic.fail_next(*[fakes.anthropic.error(529).on("/v1/messages") for _ in range(3)])

    job = _run(cloud_stack, voicemail, llm_provider="claude", stages="stt,llm")

    assert job["status"] == "failed"
    assert job["error"]["code"] == "llm.retries_exhausted"
    assert "provider_overloaded" in job["error"]["message"]
    assert job["stages"]["llm"]["attempts"] == 3


def test_replies_in_a_thread_see_the_earlier_messages(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    first = _run(
        cloud_stack, voicemail, llm_provider="claude", stages="stt,llm", thread_id="+17135554461"
    )
    fakes.reset()
    second = _run(
        cloud_stack, voicemail, llm_provider="claude", stages="stt,llm", thread_id="+17135554461"
    )

    assert first["status"] == second["status"] == "succeeded"
    messages = fakes.anthropic.calls("/v1/messages")[-1].json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == first["results"]["reply"] or (
        first["results"]["reply"] in str(messages[1]["content"])
    )


def test_voices_are_listed_per_provider(cloud_stack: RunningStack) -> None:
    # The tts worker lists them in a thread as it starts, and publishes them for the API.
    deadline = time.monotonic() + 30
    while True:
        listing = cloud_stack.http.get("/v1/voices").json()["providers"]
        by_name = {p["provider"]: p for p in listing}
        if all(p["listed_at"] for p in listing) or time.monotonic() > deadline:
            break
        time.sleep(0.2)

    assert all(p["configured"] and p["error"] is None for p in listing), listing
    assert by_name["local"]["voices"] == ["joe"]
    assert "alloy" in by_name["openai"]["voices"]
    assert by_name["elevenlabs"]["voices"]
    assert by_name["google"]["voices"]
    single = cloud_stack.http.get("/v1/voices", params={"provider": "openai"}).json()
    assert [p["provider"] for p in single["providers"]] == ["openai"]


def test_retrying_a_failed_job_resumes_at_the_failed_stage(
    cloud_stack: RunningStack, fakes: CloudFakes, voicemail: bytes
) -> None:
    fakes.elevenlabs.fail_next(fakes.elevenlabs.error(401).on("/v1/text-to-speech"))
    failed = _run(cloud_stack, voicemail, llm_provider="claude", tts_provider="elevenlabs")
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "tts.auth_failed"
    replies_before = len(fakes.anthropic.calls("/v1/messages"))

    response = cloud_stack.http.post(f"/v1/jobs/{failed['id']}/retry")
    job = cloud_stack.wait(failed["id"])

    assert response.status_code == 202
    assert job["status"] == "succeeded", job["error"]
    assert job["stages"]["stt"]["attempts"] == 1
    assert job["stages"]["llm"]["attempts"] == 1
    assert job["stages"]["tts"]["attempts"] == 2
    assert len(fakes.anthropic.calls("/v1/messages")) == replies_before, "llm did not rerun"
    assert job["results"]["reply"] == failed["results"]["reply"]
