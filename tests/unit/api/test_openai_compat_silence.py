"""The OpenAI-compatible calls answer as OpenAI does where ours would refuse otherwise: a
recording without speech is transcribed as no words (200, empty text), not 400 empty_media,
and a speech input over the deployment's text limit is OpenAI's 400, not 413."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import openai
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.openai_compat import transcriptions
from shared.audio import encode_pcm
from shared.models import ErrorInfo, Job, JobStatus
from shared.settings import Settings

Format = Literal["json", "text", "srt", "vtt", "verbose_json"]


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> None:
    # As the stt stage ends a recording with too little sound, before any engine is paid.
    async def finished(services: Any, job: Job, wait_s: float) -> Job:
        job.status = JobStatus.FAILED
        job.error = ErrorInfo(code="stt.empty_media", message="The recording has no speech.")
        return job

    monkeypatch.setattr(transcriptions, "finished", finished)


def _silence() -> bytes:
    return encode_pcm(np.zeros(16000, dtype=np.int16), 16000, "wav")


@pytest.mark.usefixtures("silent")
def test_a_recording_without_speech_is_transcribed_as_no_words_as_openai_does(
    sdk: openai.OpenAI,
) -> None:
    heard = sdk.audio.transcriptions.create(model="whisper-1", file=("vm.wav", _silence()))

    assert heard.text == ""


@pytest.mark.usefixtures("silent")
@pytest.mark.parametrize("response_format", ["text", "srt", "vtt", "verbose_json"])
def test_silence_is_an_empty_transcript_in_every_format(
    sdk: openai.OpenAI, response_format: Format
) -> None:
    heard = sdk.audio.transcriptions.with_raw_response.create(
        model="whisper-1",
        file=("vm.wav", _silence()),
        response_format=response_format,
        timestamp_granularities=["segment"] if response_format == "verbose_json" else [],
    )

    assert heard.status_code == 200
    assert heard.headers["X-VoicePipe-Job"]
    if response_format == "verbose_json":
        body = heard.http_response.json()
        assert (body["text"], body["segments"], body["duration"]) == ("", [], 1.0)
    else:
        # No words, no cues: a WebVTT file is its header alone.
        words = heard.http_response.text.removeprefix("WEBVTT" if response_format == "vtt" else "")
        assert words.strip() == ""


def test_speech_input_over_the_text_limit_is_openais_400_naming_input(tmp_path: Path) -> None:
    # Under OpenAI's own 4,096 but over this deployment's limit: 413 raised another class.
    settings = Settings(
        data_dir=tmp_path, broker={"url": "redis://127.0.0.1:1/0"}, api={"max_text_chars": 60}
    )
    body = {"model": "tts-1", "voice": "alloy", "input": "word " * 30}

    answer = TestClient(create_app(settings)).post("/v1/audio/speech", json=body)

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"], error["type"]) == (
        "text_too_long",
        "input",
        "invalid_request_error",
    )
