"""/v1/voices answers from what the tts workers published: the API builds no provider."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from shared.redis_keys import connect
from shared.settings import Settings
from shared.voice_directory import VoiceDirectory
from tests.conftest import ValkeyProcess


def _client(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, elevenlabs={"api_key": "el-key"}
    )
    return TestClient(create_app(settings))


def test_before_any_tts_worker_lists_them_a_configured_provider_says_so(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    listing = _client(tmp_path, valkey).get("/v1/voices").json()["providers"]
    by_name = {p["provider"]: p for p in listing}

    assert by_name["elevenlabs"]["configured"] is True
    assert by_name["elevenlabs"]["voices"] == []
    assert "not listed yet" in by_name["elevenlabs"]["error"]
    assert by_name["openai"]["configured"] is False
    assert "VOICEPIPE_OPENAI__API_KEY" in by_name["openai"]["error"]


def test_before_any_tts_worker_lists_them_the_fixed_voices_are_named_as_v1_models_names_them(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url},
        openai={"api_key": "sk-test", "tts_model": "tts-1"},
    )
    with TestClient(create_app(settings)) as http:
        listing = http.get("/v1/voices").json()["providers"]
        models = {m["id"]: m for m in http.get("/v1/models").json()["data"]}
    by_name = {p["provider"]: p for p in listing}

    # They said "not listed yet" where GET /v1/models already named them.
    for provider in ("local", "openai"):
        shown = (by_name[provider]["voices"], by_name[provider]["error"])
        assert shown == (models[f"voicepipe-{provider}"]["voices"], None)
    assert by_name["local"]["voices"] == ["joe"]
    assert "alloy" in by_name["openai"]["voices"]
    assert "ballad" not in by_name["openai"]["voices"]  # tts-1 has not got it
    assert by_name["local"]["listed_at"] is None


def test_published_voices_and_a_vendors_error_are_shown_per_provider(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    directory = VoiceDirectory(connect(valkey.url))
    directory.publish("local", ["joe"], None, keep_s=60)
    directory.publish("elevenlabs", [], "auth_failed: the key was refused", keep_s=60)

    response = _client(tmp_path, valkey).get("/v1/voices")
    by_name = {p["provider"]: p for p in response.json()["providers"]}

    assert response.status_code == 200
    assert (by_name["local"]["voices"], by_name["local"]["error"]) == (["joe"], None)
    assert by_name["local"]["listed_at"]
    assert by_name["elevenlabs"]["error"] == "auth_failed: the key was refused"


def test_a_published_list_expires_when_no_worker_refreshes_it(valkey: ValkeyProcess) -> None:
    client = connect(valkey.url)
    VoiceDirectory(client).publish("local", ["joe"], None, keep_s=60)

    assert 0 < client.ttl("vp:voices:local") <= 60


def test_one_process_lists_the_voices_per_period(valkey: ValkeyProcess) -> None:
    first, second = VoiceDirectory(connect(valkey.url)), VoiceDirectory(connect(valkey.url))

    assert first.claim_listing(60) is True
    assert second.claim_listing(60) is False
