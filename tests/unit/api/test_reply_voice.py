"""A job whose reply Claude would write in a language the English-only local voice cannot
speak is refused at intake (POST /v1/jobs and POST /v1/batches), naming what to change: it
was queued, paid Claude for the reply, then failed at its tts stage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from shared.audio import encode_pcm
from shared.models import Stage
from shared.provider_catalog import provider_names, spec
from shared.stt_languages import ENGLISH_ONLY_VOICES
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of
from workers.providers.registry import load_class

FAKE_KEY = "sk-" + "test" * 8


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    # Claude and Whisper (which hears French) configured; the voice is the default, local.
    return app_client(
        tmp_path, valkey, anthropic={"api_key": FAKE_KEY}, openai={"api_key": FAKE_KEY}
    )


def _wav() -> bytes:
    t = np.arange(16_000) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


def _refused(answer: Any) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"]) == ("unsupported_language", "language")
    assert "'fr'" in error["message"]
    assert "English only" in error["message"]
    # What to change: a voice that speaks it (openai is configured here), or no Claude.
    assert "tts_provider openai" in error["message"]
    assert "llm_provider local" in error["message"]


def test_a_text_job_in_french_for_claude_and_the_local_voice_is_refused_before_it_is_queued(
    http: TestClient,
) -> None:
    answer = http.post(
        "/v1/jobs", data={"text": "Rappelez-moi.", "language": "fr", "llm_provider": "claude"}
    )

    _refused(answer)
    assert http.get("/v1/jobs").json()["total"] == 0


def test_a_recording_heard_in_french_by_whisper_is_refused_alike(http: TestClient) -> None:
    form = {"language": "fr", "llm_provider": "claude", "stt_provider": "whisper"}

    answer = http.post("/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}, data=form)

    _refused(answer)


def test_a_batch_for_claude_and_the_local_voice_in_french_is_refused(http: TestClient) -> None:
    manifest = {"items": [{"text": "Rappelez-moi."}], "language": "fr", "llm_provider": "claude"}

    answer = http.post("/v1/batches", json=manifest)

    _refused(answer)
    assert services_of(http).batches.list_ids("default", 10) == []


@pytest.mark.parametrize(
    "changed",
    [
        {"tts_provider": "openai"},  # a voice that speaks French
        {"llm_provider": "local"},  # the offline responder replies in English
        {"stages": "stt,llm"},  # nothing is spoken
        {"language": "en-GB"},
    ],
)
def test_each_change_the_refusal_names_is_accepted(
    http: TestClient, changed: dict[str, str]
) -> None:
    form = {"text": "Rappelez-moi.", "language": "fr", "llm_provider": "claude", **changed}

    answer = http.post("/v1/jobs", data=form)

    assert answer.status_code == 202, answer.text


def test_the_voices_held_english_only_at_intake_are_those_the_tts_stage_holds_so() -> None:
    # The API imports no worker code, so it keeps its own list; a provider whose optional
    # install is missing here cannot be loaded to be compared.
    installed = [n for n in provider_names("tts") if not spec("tts", n).missing_modules()]  # type: ignore[union-attr]
    english_only = {n for n in installed if load_class(Stage.TTS, n).english_only}  # type: ignore[attr-defined]

    assert english_only == ENGLISH_ONLY_VOICES


@pytest.mark.parametrize("route", ["/v1/jobs", "/v1/batches"])
def test_a_recording_its_stt_engine_cannot_hear_is_refused_for_that_before_the_reply_voice(
    http: TestClient, route: str
) -> None:
    # The local engine hears English only: the reply voice's advice (llm_provider local,
    # stages=stt,llm) would only have led to a second refusal for the same language.
    form = {"language": "fr", "llm_provider": "claude", "stt_provider": "local"}

    answer = http.post(route, files={"file": ("vm.wav", _wav(), "audio/wav")}, data=form)

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"]) == ("unsupported_language", "language")
    assert "'local' speech engine hears English only" in error["message"]
    assert "llm_provider local" not in error["message"]


def test_a_manifest_with_a_recording_its_engine_cannot_hear_is_refused_for_that_first(
    http: TestClient,
) -> None:
    manifest = {
        "items": [{"text": "Rappelez-moi."}, {"url": "https://example.com/vm.wav"}],
        "language": "fr",
        "llm_provider": "claude",
        "stt_provider": "local",
    }

    answer = http.post("/v1/batches", json=manifest)

    assert answer.status_code == 400, answer.text
    assert "'local' speech engine hears English only" in answer.json()["error"]["message"]
