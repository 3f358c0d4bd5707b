"""An answer OpenAI billed but we could not read still records the audio seconds it billed:
the malformed_response failure carries them (StageFailed.charges) for the stage runner to
put on the job's stages.stt.billed, by engine and model, as a discarded run's are."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx2
import openai
import pytest

from shared.audio import decode_pcm16k
from shared.models import Billed
from shared.settings import Settings
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import Fault
from workers.providers.base import AudioInput
from workers.providers.errors import ProviderError
from workers.providers.stt.whisper import WhisperStt
from workers.providers.tts.local import PiperTts


@pytest.fixture(scope="module")
def fake() -> Iterator[OpenAIFake]:
    with OpenAIFake() as server:
        assert isinstance(server, OpenAIFake)
        server.transcript_text = "call me back"
        yield server


@pytest.fixture(scope="module")
def spoken() -> AudioInput:
    data = PiperTts().synthesize("Please call me back tomorrow morning.", None, "wav").data
    return AudioInput(data, "audio/wav", "wav", decode_pcm16k(data))


@pytest.mark.parametrize(
    ("model", "body"),
    [
        ("whisper-1", b"<html>gateway</html>"),  # verbose_json asked for
        ("whisper-1", b'{"task": "transcribe"}'),
        ("gpt-4o-mini-transcribe", b'{"text": 42}'),  # json asked for
    ],
)
def test_an_unreadable_200_carries_the_audio_seconds_openai_billed(
    fake: OpenAIFake, spoken: AudioInput, model: str, body: bytes
) -> None:
    settings = Settings(
        openai={"api_key": "sk-test", "base_url": fake.base_url + "/v1", "stt_model": model}
    ).openai
    fake.fail_next(Fault(status=200, body=body))

    with pytest.raises(ProviderError) as caught:
        WhisperStt(settings).transcribe(spoken)

    seconds = round(len(spoken.pcm16k) / 16_000, 3)
    assert caught.value.code == "malformed_response"
    assert caught.value.charges == [Billed(engine="whisper", model=model, audio_s=seconds)]


def test_an_answer_that_never_came_carries_no_charges(fake: OpenAIFake, spoken: AudioInput) -> None:
    settings = Settings(openai={"api_key": "sk-test", "base_url": fake.base_url + "/v1"}).openai
    fake.fail_next(Fault(status=500, body=b'{"error": {"message": "boom"}}'))

    with pytest.raises(ProviderError) as caught:
        WhisperStt(settings).transcribe(spoken)

    assert caught.value.charges == []


def _sdk_raising(error: Exception) -> Any:
    def create(**_: Any) -> Any:
        raise error

    return SimpleNamespace(
        audio=SimpleNamespace(
            transcriptions=SimpleNamespace(with_streaming_response=SimpleNamespace(create=create))
        )
    )


def _request() -> httpx2.Request:
    return httpx2.Request("POST", "https://api.openai.com/v1/audio/transcriptions")


def test_an_sdk_error_over_a_200_carries_the_audio_seconds_openai_billed(
    spoken: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    whisper = WhisperStt(Settings(openai={"api_key": "sk-test"}).openai)
    answered = httpx2.Response(200, request=_request(), text='{"text": 42}')
    error = openai.APIResponseValidationError(response=answered, body={"text": 42})
    monkeypatch.setitem(whisper.__dict__, "client", _sdk_raising(error))

    with pytest.raises(ProviderError) as caught:
        whisper.transcribe(spoken)

    seconds = round(len(spoken.pcm16k) / 16_000, 3)
    assert caught.value.code == "malformed_response"
    assert caught.value.charges == [Billed(engine="whisper", model="whisper-1", audio_s=seconds)]


@pytest.mark.parametrize(
    "error",
    [
        openai.OpenAIError("the SDK could not make sense of it"),  # no answer known
        openai.APIResponseValidationError(
            response=httpx2.Response(302, request=_request()), body=None
        ),
    ],
)
def test_an_sdk_error_without_a_200_carries_no_charges(
    spoken: AudioInput, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    whisper = WhisperStt(Settings(openai={"api_key": "sk-test"}).openai)
    monkeypatch.setitem(whisper.__dict__, "client", _sdk_raising(error))

    with pytest.raises(ProviderError) as caught:
        whisper.transcribe(spoken)

    assert caught.value.code == "malformed_response"
    assert caught.value.charges == []
