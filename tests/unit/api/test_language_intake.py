"""A recording's ``language`` its stt engine cannot hear is refused at intake, on
``POST /v1/jobs``, ``POST /v1/batches`` and the OpenAI-compatible transcription call, before
anything is stored; one a cloud engine hears, and typed text, are not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from shared.audio import encode_pcm
from tests.conftest import ValkeyProcess
from tests.unit.api.app_client import app_client, services_of

FAKE_KEY = "sk-" + "test" * 8


def _wav() -> bytes:
    t = np.arange(16_000) / 16_000
    return encode_pcm((3000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16), 16_000, "wav")


@pytest.fixture
def http(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    return app_client(tmp_path, valkey, openai={"api_key": FAKE_KEY})


def _stored(http: TestClient, tmp_path: Path) -> tuple[int, list[Path]]:
    objects = tmp_path / "objects"
    files = [p for p in objects.rglob("*") if p.is_file()] if objects.exists() else []
    return http.get("/v1/jobs").json()["total"], files


@pytest.mark.parametrize("language", ["xx", "fr", "de-DE"])
def test_a_job_in_a_language_the_offline_engine_cannot_hear_is_refused_before_it_is_stored(
    http: TestClient, tmp_path: Path, language: str
) -> None:
    answer = http.post(
        "/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}, data={"language": language}
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_language"
    assert error["message"].startswith("language:")
    assert repr(language) in error["message"]
    assert "'en'" in error["message"]
    assert _stored(http, tmp_path) == (0, [])


def test_the_openai_transcription_call_refuses_it_in_openais_shape_naming_the_field(
    http: TestClient, tmp_path: Path
) -> None:
    answer = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"model": "whisper-1", "language": "xx"},
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"], error["type"]) == (
        "unsupported_language",
        "language",
        "invalid_request_error",
    )
    assert _stored(http, tmp_path) == (0, [])


@pytest.mark.parametrize("language", ["en", "en-GB", "eng", "English"])
def test_english_however_it_is_written_is_accepted(http: TestClient, language: str) -> None:
    answer = http.post(
        "/v1/jobs", files={"file": ("vm.wav", _wav(), "audio/wav")}, data={"language": language}
    )

    assert answer.status_code == 202, answer.text


def test_a_language_a_cloud_engine_hears_is_left_to_it(http: TestClient) -> None:
    answer = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": "fr", "stt_provider": "whisper"},
    )

    assert answer.status_code == 202, answer.text
    assert answer.json()["options"]["language"] == "fr"


def test_typed_text_in_another_language_is_accepted(http: TestClient) -> None:
    answer = http.post("/v1/jobs", data={"text": "Bonjour, rappelez-moi.", "language": "fr"})

    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize("language", ["xx", "zz-ZZ"])
def test_a_job_for_whisper_in_a_code_whisper_does_not_know_is_refused_before_it_is_stored(
    http: TestClient, tmp_path: Path, language: str
) -> None:
    answer = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": language, "stt_provider": "whisper"},
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_language"
    assert repr(language) in error["message"]
    assert "ISO-639-1" in error["message"]
    assert _stored(http, tmp_path) == (0, [])


@pytest.mark.parametrize("language", ["fr", "pt-BR", "yue", "english"])
def test_a_job_for_whisper_in_a_language_it_knows_or_detects_is_accepted(
    http: TestClient, language: str
) -> None:
    answer = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": language, "stt_provider": "whisper"},
    )

    assert answer.status_code == 202, answer.text


def test_the_openai_transcription_call_on_whisper_refuses_an_unknown_code(
    http: TestClient, tmp_path: Path
) -> None:
    answer = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"model": "voicepipe-whisper", "language": "xx"},
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["code"], error["param"]) == ("unsupported_language", "language")
    assert "Whisper" in error["message"]
    assert _stored(http, tmp_path) == (0, [])


def test_a_batch_for_whisper_in_a_code_it_does_not_know_is_refused(http: TestClient) -> None:
    answer = _batch(http, "manifest", language="xx", stt_provider="whisper")

    _refused_for_language(answer, "xx")
    assert _batches(http) == []


def _batches(http: TestClient) -> list[str]:
    return services_of(http).batches.list_ids("default", 100)


def _refused_for_language(answer: Response, language: str) -> None:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_language"
    assert repr(language) in error["message"]


BATCH_BODIES = {
    "parts": {"files": [("file", ("a.wav", b"RIFF-a")), ("file", ("b.wav", b"RIFF-b"))]},
    "manifest": {"json": {"items": [{"key": "a.wav"}, {"url": "https://example.com/b.wav"}]}},
    "manifest with a text": {"json": {"items": [{"text": "Bonjour"}, {"key": "a.wav"}]}},
    "prefix": {"json": {"prefix": {"prefix": "calls/"}}},
}


def _batch(
    http: TestClient, body: str, headers: dict[str, str] | None = None, **options: str
) -> Response:
    sent = BATCH_BODIES[body]
    if "files" in sent:
        return http.post("/v1/batches", files=sent["files"], data=options, headers=headers)
    return http.post("/v1/batches", json={**sent["json"], **options}, headers=headers)


@pytest.mark.parametrize("body", list(BATCH_BODIES))
def test_a_batch_of_recordings_in_a_language_the_engine_cannot_hear_is_refused_unstored(
    http: TestClient, tmp_path: Path, body: str
) -> None:
    answer = _batch(http, body, language="fr")

    _refused_for_language(answer, "fr")
    assert _batches(http) == []
    assert _stored(http, tmp_path) == (0, [])


def test_a_batch_of_typed_texts_alone_in_another_language_is_accepted(http: TestClient) -> None:
    answer = http.post(
        "/v1/batches", json={"items": [{"text": "Bonjour, rappelez-moi."}], "language": "fr"}
    )

    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize("body", ["parts", "manifest"])
def test_a_batch_for_a_cloud_engine_keeps_its_language(http: TestClient, body: str) -> None:
    answer = _batch(http, body, language="fr", stt_provider="whisper")

    assert answer.status_code == 202, answer.text
    assert answer.json()["options"]["language"] == "fr"


@pytest.mark.parametrize("body", ["parts", "manifest"])
def test_a_batch_refused_for_its_language_leaves_its_idempotency_key_free_for_the_corrected_one(
    http: TestClient, body: str
) -> None:
    key = {"Idempotency-Key": f"batch-{body}"}

    refused = _batch(http, body, key, language="fr")
    corrected = _batch(http, body, key, language="en")

    _refused_for_language(refused, "fr")
    assert corrected.status_code == 202, corrected.text
    assert _batches(http) == [corrected.json()["id"]]


def test_a_batchs_key_sent_again_in_a_language_the_engine_cannot_hear_is_refused_not_replayed(
    http: TestClient,
) -> None:
    key = {"Idempotency-Key": "batch-again"}

    first = _batch(http, "manifest", key, language="en")
    again = _batch(http, "manifest", key, language="fr")

    assert first.status_code == 202, first.text
    _refused_for_language(again, "fr")
    assert _batches(http) == [first.json()["id"]]


def test_a_hybrid_neither_of_whose_engines_hears_the_language_is_refused_naming_both(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # Both refuse it at the stt stage, and the job would fail as all_engines_failed.
    offline_pair = app_client(tmp_path, valkey, hybrid={"engines": ["local", "pocketsphinx"]})

    answer = offline_pair.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": "fr", "stt_provider": "hybrid"},
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_language"
    assert error["message"].startswith("language: neither engine of 'hybrid'")
    assert "'local'" in error["message"]
    assert "'pocketsphinx'" in error["message"]
    assert _stored(offline_pair, tmp_path) == (0, [])


def test_a_hybrid_one_of_whose_engines_hears_the_language_keeps_it(http: TestClient) -> None:
    # The default pair is Whisper, which hears French, and the offline engine, which does not.
    answer = http.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": "fr", "stt_provider": "hybrid"},
    )

    assert answer.status_code == 202, answer.text


def test_a_hybrid_whose_hearing_engine_is_not_configured_here_is_refused(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # No OpenAI key: the worker skips Whisper and runs the offline engine alone, which
    # refuses French, so the job would be queued only to fail as all_engines_failed.
    offline = app_client(tmp_path, valkey)

    answer = offline.post(
        "/v1/jobs",
        files={"file": ("vm.wav", _wav(), "audio/wav")},
        data={"language": "fr", "stt_provider": "hybrid"},
    )

    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unsupported_language"
    assert "'whisper' is not configured here" in error["message"]
    assert "'local'" in error["message"]
    assert _stored(offline, tmp_path) == (0, [])


@pytest.mark.parametrize("route", ["text job", "recording", "batch", "openai"])
def test_a_language_with_a_control_character_is_refused_on_every_route_unstored(
    http: TestClient, tmp_path: Path, route: str
) -> None:
    language = {"language": "en\x01"}
    wav = {"file": ("vm.wav", _wav(), "audio/wav")}
    if route == "text job":
        answer = http.post("/v1/jobs", data={"text": "Call me back.", **language})
    elif route == "recording":
        answer = http.post("/v1/jobs", files=wav, data=language)
    elif route == "batch":
        answer = http.post("/v1/batches", json={"items": [{"text": "Call me."}], **language})
    else:
        answer = http.post(
            "/v1/audio/transcriptions", files=wav, data={"model": "whisper-1", **language}
        )

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "invalid_value"
    assert "is no language tag" in answer.json()["error"]["message"]
    assert _stored(http, tmp_path) == (0, [])
