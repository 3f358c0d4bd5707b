"""The official openai SDK's own retries against the running stack: the SDK sends no
Idempotency-Key, and retries a call whose answer was lost or late. The retry joins the job
its first try made, so the recording is run, and counted in the usage, once."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from tests.integration.conftest import RunningStack, paused_pool

pytestmark = pytest.mark.integration

SCRIPT = "Hi, this is Ana. My heater stopped working. Please call me back."


@pytest.fixture(scope="module")
def voicemail_wav() -> bytes:
    from workers.providers.tts.local import PiperTts

    return PiperTts().synthesize(SCRIPT, None, "wav").data


class _DropsFirstAnswer(httpx.HTTPTransport):
    """Sends each request; the first one's answer is read and then lost, as when the
    connection drops after the server has done the work."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[httpx.Response] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        self.answers.append(response)
        if len(self.answers) == 1:
            raise httpx.RemoteProtocolError("connection dropped", request=request)
        return response


def _totals(stack: RunningStack) -> dict[str, Any]:
    totals: dict[str, Any] = stack.http.get("/v1/usage").json()["totals"]
    return totals


def test_an_sdk_retry_after_a_dropped_answer_is_answered_from_the_first_tries_job(
    light_stack: RunningStack, voicemail_wav: bytes
) -> None:
    transport = _DropsFirstAnswer()
    before = _totals(light_stack)
    with openai.OpenAI(
        base_url=f"{light_stack.settings.api.base_url}/v1",
        api_key="unused",
        http_client=httpx.Client(transport=transport),
    ) as sdk:
        heard = sdk.audio.transcriptions.with_raw_response.create(
            model="whisper-1", file=("vm.wav", voicemail_wav)
        )

    lost, _ = transport.answers
    assert lost.status_code == 200
    assert heard.headers["x-voicepipe-job"] == lost.headers["x-voicepipe-job"]
    assert heard.headers["idempotent-replayed"] == "true"
    after = _totals(light_stack)
    assert after["jobs"] == before["jobs"] + 1


def test_sdk_retries_after_timeouts_make_one_job_counted_once(
    light_stack: RunningStack, voicemail_wav: bytes
) -> None:
    before = _totals(light_stack)
    with (
        openai.OpenAI(
            base_url=f"{light_stack.settings.api.base_url}/v1",
            api_key="unused",
            timeout=2,
            max_retries=2,
        ) as sdk,
        paused_pool(light_stack, "stt"),
        pytest.raises(openai.APITimeoutError),
    ):
        # Each of the three tries gives up before the paused pool can transcribe.
        sdk.audio.transcriptions.create(model="whisper-1", file=("vm.wav", voicemail_wav))

    listed = light_stack.http.get("/v1/jobs", params={"limit": 5}).json()["jobs"]
    job = light_stack.wait(listed[0]["id"])
    after = _totals(light_stack)
    assert after["jobs"] == before["jobs"] + 1
    assert after["audio_s"] == pytest.approx(
        before["audio_s"] + job["input"]["duration_s"], abs=0.01
    )
