"""What the Whisper API tests share: the spoken sentence, the endpoint path, settings pointed at
the fake, a reader of the multipart form sent and a catcher of the ProviderError raised."""

from __future__ import annotations

import email.parser
from typing import Any

import pytest

from shared.settings import Settings
from shared.settings.providers import OpenAISettings
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import RecordedRequest
from workers.providers.base import AudioInput
from workers.providers.errors import ProviderError
from workers.providers.stt.whisper import WhisperStt

SENTENCE = "Please call me back tomorrow morning about the appointment."
PATH = "/v1/audio/transcriptions"


def settings_for(fake: OpenAIFake, **openai: Any) -> OpenAISettings:
    return Settings(
        openai={"api_key": "sk-test", "base_url": fake.base_url + "/v1", "timeout_s": 30, **openai}
    ).openai


def form_fields(request: RecordedRequest) -> dict[str, list[tuple[str | None, bytes]]]:
    """name -> [(filename, value)] of a multipart body, read with the standard library."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(head + request.body)
    fields: dict[str, list[tuple[str | None, bytes]]] = {}
    for part in message.walk():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields.setdefault(name, []).append((part.get_filename(), payload))
    return fields


def transcribe_error(settings: OpenAISettings, audio: AudioInput) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        WhisperStt(settings).transcribe(audio)
    return caught.value
