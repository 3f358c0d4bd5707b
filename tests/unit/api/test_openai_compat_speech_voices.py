"""The voice a speech call asks for, whether or not a tts worker has listed its provider's
voices yet: a voice the provider has is spoken by it, OpenAI's names the provider lacks by
its default voice, and any other name must be the provider's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from shared.redis_keys import connect
from shared.voice_directory import VoiceDirectory
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client

TEXT = "Thank you for your message; a technician will call you back tomorrow morning."


def _client(tmp_path: Path, valkey: ValkeyProcess, tts: str) -> TestClient:
    # No workers, and nothing listed: every call outlasts its short wait, naming its job.
    return app_client(
        tmp_path,
        valkey,
        api={"sync_wait_s": 0.05},
        providers={"tts": tts},
        openai={"api_key": "sk-test", "tts_model": "gpt-4o-mini-tts"},
        elevenlabs={"api_key": "el-key"},
        google={"enabled": True},
    )


@pytest.fixture
def openai_voice(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[TestClient]:
    with _client(tmp_path, valkey, "openai") as http:
        yield http


@pytest.fixture
def elevenlabs_voice(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[TestClient]:
    with _client(tmp_path, valkey, "elevenlabs") as http:
        yield http


def _speak(http: TestClient, voice: str) -> httpx.Response:
    return http.post("/v1/audio/speech", json={"model": "tts-1", "voice": voice, "input": TEXT})


def _voice_of(http: TestClient, answer: httpx.Response) -> Any:
    assert answer.status_code == 504, answer.text
    job = http.get(f"/v1/jobs/{answer.headers['location'].rpartition('/')[2]}")
    return job.json()["options"]["voice"]


def test_openais_voice_is_spoken_before_any_tts_worker_has_listed_it(
    openai_voice: TestClient,
) -> None:
    # It was spoken by the default voice until a tts worker published OpenAI's list, which
    # is known here all the same (GET /v1/models names it).
    assert _voice_of(openai_voice, _speak(openai_voice, "nova")) == "nova"


def test_a_vendors_voice_is_passed_on_before_its_voices_are_listed(
    elevenlabs_voice: TestClient,
) -> None:
    # Only ElevenLabs' own listing can tell: the tts stage speaks it, or refuses it.
    assert _voice_of(elevenlabs_voice, _speak(elevenlabs_voice, "Rachel")) == "Rachel"
    # OpenAI's names are no ElevenLabs voice: its default speaks them, as once listed.
    assert _voice_of(elevenlabs_voice, _speak(elevenlabs_voice, "alloy")) is None


def test_a_voice_the_providers_list_lacks_is_refused_naming_the_field(
    elevenlabs_voice: TestClient, valkey: ValkeyProcess
) -> None:
    VoiceDirectory(connect(valkey.url)).publish("elevenlabs", ["Rachel"], None, keep_s=60)

    refused = _speak(elevenlabs_voice, "Rachell")

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("unknown_voice", "voice")
    assert "Rachel" in error["message"]
    assert _voice_of(elevenlabs_voice, _speak(elevenlabs_voice, "Rachel")) == "Rachel"
    assert _voice_of(elevenlabs_voice, _speak(elevenlabs_voice, "alloy")) is None


def test_a_name_that_cannot_be_a_google_voice_is_refused_before_its_voices_are_listed(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    with _client(tmp_path, valkey, "google") as http:
        refused = _speak(http, "joe")
        # OpenAI's names are still spoken by Google's default, a Google name passed on.
        assert _voice_of(http, _speak(http, "nova")) is None
        assert _voice_of(http, _speak(http, "en-US-Neural2-F")) == "en-US-Neural2-F"

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["param"]) == ("unknown_voice", "voice")
    assert "such as en-US-Neural2-F" in error["message"]
