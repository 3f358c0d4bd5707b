"""An `Idempotency-Key` on the OpenAI-compatible calls, sent through the official SDK: a call
sent again with its key (the SDK's own retry after a dropped connection, or the caller's) is
answered from the job the first one made, not run as a second job."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import openai
import pytest

from tests.integration.conftest import RunningStack

pytestmark = pytest.mark.integration

TEXT = (
    "Thank you for your message about the heater in your kitchen. "
    "A technician is free tomorrow morning between eight and ten o'clock."
)


@pytest.fixture(scope="module")
def client(running_stack: RunningStack) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=f"{running_stack.settings.api.base_url}/v1", api_key="unused", max_retries=0
    ) as sdk:
        yield sdk


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(TEXT, None, "wav").data


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_a_transcription_sent_again_with_its_key_is_answered_from_the_first_job(
    client: openai.OpenAI, voicemail_wav: bytes
) -> None:
    key = _key()
    calls = client.audio.transcriptions.with_raw_response
    first = calls.create(model="whisper-1", file=("vm.wav", voicemail_wav), extra_headers=key)
    again = calls.create(
        model="whisper-1",
        file=("vm.wav", voicemail_wav),
        response_format="text",
        extra_headers=key,
    )

    assert again.headers["x-voicepipe-job"] == first.headers["x-voicepipe-job"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.parse().strip() == first.parse().text.strip()  # type: ignore[union-attr]


@pytest.mark.parametrize("stream", [False, True])
def test_speech_sent_again_with_its_key_is_spoken_by_the_first_calls_jobs(
    client: openai.OpenAI, stream: bool
) -> None:
    key = _key()
    extra = {"stream_format": "audio"} if stream else {}
    header = "x-voicepipe-jobs" if stream else "x-voicepipe-job"
    jobs = []
    for _ in range(2):
        with client.audio.speech.with_streaming_response.create(
            model="tts-1", voice="alloy", input=TEXT, extra_headers=key, **extra
        ) as response:
            assert response.read()
            jobs.append(response.headers[header])

    assert jobs[0] == jobs[1]
    assert len(jobs[0].split(",")) == (2 if stream else 1)


@pytest.mark.parametrize("stream", [False, True])
def test_a_key_sent_again_with_other_words_is_a_conflict_the_sdk_does_not_retry(
    client: openai.OpenAI, stream: bool
) -> None:
    key = _key()
    extra = {"stream_format": "audio"} if stream else {}
    client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, extra_headers=key)

    with pytest.raises(openai.ConflictError) as refused:
        client.audio.speech.create(
            model="tts-1", voice="alloy", input=TEXT + " Bye.", extra_headers=key, **extra
        )

    assert isinstance(refused.value.body, dict)
    assert refused.value.body["code"] == "idempotency_conflict"
    assert refused.value.response.headers["x-should-retry"] == "false"


def test_an_empty_idempotency_key_is_refused_as_on_jobs(
    running_stack: RunningStack, voicemail_wav: bytes
) -> None:
    # What `-H "Idempotency-Key: $KEY"` sends with KEY unset.
    answer = running_stack.http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", voicemail_wav)},
        headers={"Idempotency-Key": ""},
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_idempotency_key"
