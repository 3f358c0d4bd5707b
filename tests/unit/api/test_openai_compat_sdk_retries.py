"""The openai SDK's own retries on the OpenAI-compatible routes: the SDK sends no
Idempotency-Key but retries a call whose answer was slow or lost, saying so in
``x-stainless-retry-count``. A retry of a transcription joins the job its first try made;
two calls made on purpose, each a first try, are two jobs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import redis
from fastapi.testclient import TestClient

from api.idempotency import SdkRetry
from shared.audio import encode_pcm
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[TestClient]:
    # No workers: every call outlasts its short wait and answers 504 naming its job.
    with app_client(tmp_path, valkey, api={"sync_wait_s": 0.05}) as client:
        yield client


def _tone(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    return encode_pcm((rng.standard_normal(16000) * 3000).astype(np.int16), 16000, "wav")


def _transcribe(http: TestClient, audio: bytes, retry: int | None, **fields: str) -> str:
    headers = {} if retry is None else {"x-stainless-retry-count": str(retry)}
    answer = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", audio)},
        data={"model": "whisper-1", **fields},
        headers=headers,
    )
    assert answer.status_code == 504, answer.text
    return answer.headers["location"].rpartition("/")[2]


def _jobs(http: TestClient) -> int:
    total: int = http.get("/v1/jobs").json()["total"]
    return total


def test_an_sdk_retry_of_a_transcription_joins_the_job_its_first_try_made(
    http: TestClient,
) -> None:
    first = _transcribe(http, _tone(), retry=0)

    # The SDK's retries after its timeout: the same upload, the same fields.
    assert _transcribe(http, _tone(), retry=1) == first
    assert _transcribe(http, _tone(), retry=2, response_format="text") == first
    assert _jobs(http) == 1


def test_the_same_recording_sent_twice_on_purpose_is_two_jobs(http: TestClient) -> None:
    first = _transcribe(http, _tone(), retry=0)

    # A first try each (or a client that does not say), as a caller's own second call is.
    assert _transcribe(http, _tone(), retry=0) != first
    assert _transcribe(http, _tone(), retry=None) != first
    assert _jobs(http) == 3


def test_a_retry_joins_the_latest_first_try_of_the_same_request(http: TestClient) -> None:
    _transcribe(http, _tone(), retry=0)
    latest = _transcribe(http, _tone(), retry=0)

    assert _transcribe(http, _tone(), retry=1) == latest


def test_a_retry_of_another_recording_or_other_options_is_a_job_of_its_own(
    http: TestClient,
) -> None:
    first = _transcribe(http, _tone(), retry=0)

    assert _transcribe(http, _tone(seed=1), retry=1) != first
    assert _transcribe(http, _tone(), retry=1, language="en") != first
    assert _jobs(http) == 3


def test_a_retry_whose_first_try_made_no_job_makes_one_that_later_retries_join(
    http: TestClient,
) -> None:
    made = _transcribe(http, _tone(), retry=1)

    assert _transcribe(http, _tone(), retry=2) == made
    assert _jobs(http) == 1


def test_a_retry_whose_own_first_try_failed_does_not_join_an_earlier_calls_job(
    http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = _transcribe(http, _tone(), retry=0)
    recorder = services_of(http).recorder

    async def broker_down(job: object) -> None:
        raise redis.ConnectionError("the broker went away")

    # The same recording sent again on purpose; its first try makes no job (a 503, which
    # the SDK retries).
    monkeypatch.setattr(recorder, "create_and_queue", broker_down)
    refused = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", _tone())},
        headers={"x-stainless-retry-count": "0"},  # as the SDK numbers its first try
    )
    assert refused.status_code == 503
    monkeypatch.undo()

    # Its retry is this call's, not the earlier one's: it joined that job's answer.
    assert _transcribe(http, _tone(), retry=1) != earlier
    assert _jobs(http) == 2


TEXT = (
    "Thank you for your message about the heater in your kitchen. "
    "A technician is free tomorrow morning between eight and ten o'clock."
)


def _speak(http: TestClient, retry: int, **extra: str) -> str:
    answer = http.post(
        "/v1/audio/speech",
        json={"model": "tts-1", "voice": "alloy", "input": TEXT, **extra},
        headers={"x-stainless-retry-count": str(retry)},
    )
    assert answer.status_code == 504, answer.text
    return answer.headers["location"].rpartition("/")[2]


@pytest.mark.parametrize("stream", [False, True])
def test_an_sdk_retry_of_speech_joins_the_jobs_its_first_try_made(
    http: TestClient, stream: bool
) -> None:
    extra = {"stream_format": "audio"} if stream else {}
    first = _speak(http, 0, **extra)
    made = _jobs(http)

    assert _speak(http, 1, **extra) == first
    assert _jobs(http) == made == (2 if stream else 1)
    # Spoken again on purpose: jobs of its own.
    assert _speak(http, 0, **extra) != first


@pytest.mark.parametrize(
    ("header", "is_retry"),
    [
        *((None, False), ("0", False), ("1", True), (" 2 ", True), ("x", False), ("-1", False)),
        # A digit to str.isdigit (a header is Latin-1) that int() refused: a 500.
        ("\u00b2", False),
    ],
)
def test_only_a_try_numbered_one_or_more_is_a_retry(header: str | None, is_retry: bool) -> None:
    assert SdkRetry.of("transcriptions", header).is_retry is is_retry


def test_a_call_that_does_not_number_its_tries_is_no_first_try_for_a_later_retry(
    http: TestClient,
) -> None:
    # Only an SDK numbers its tries: a call without the header (curl, another client) is
    # neither hashed nor noted for retries, so an SDK's later retry is not answered from it.
    plain = _transcribe(http, _tone(), retry=None)

    assert _transcribe(http, _tone(), retry=1) != plain
    assert _jobs(http) == 2
