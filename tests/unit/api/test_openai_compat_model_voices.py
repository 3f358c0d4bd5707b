"""The voices on /v1/models before any tts worker has listed them: what the API knows
without asking (the bundled voice), else why the list is empty."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from shared.redis_keys import connect
from shared.settings import Settings
from shared.voice_directory import VoiceDirectory
from tests.conftest import ValkeyProcess


def _models(tmp_path: Path, valkey: ValkeyProcess) -> dict[str, dict[str, object]]:
    settings = Settings(
        data_dir=tmp_path, broker={"url": valkey.url}, elevenlabs={"api_key": "el-key"}
    )
    listed = TestClient(create_app(settings)).get("/v1/models").json()["data"]
    return {model["id"]: model for model in listed}


def test_right_after_start_the_offline_voice_is_listed_and_a_vendors_empty_list_says_why(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    # No tts worker has published yet: the list said `voices: []` with no hint.
    models = _models(tmp_path, valkey)

    assert models["voicepipe-local"]["voices"] == ["joe"]
    assert models["voicepipe-local"]["voices_error"] is None
    assert models["tts-1"]["voices"] == ["joe"]
    assert models["voicepipe-elevenlabs"]["voices"] == []
    assert "not listed yet" in str(models["voicepipe-elevenlabs"]["voices_error"])
    assert models["whisper-1"]["voices"] is None


def test_a_published_list_and_a_vendors_listing_error_are_what_the_models_show(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    directory = VoiceDirectory(connect(valkey.url))
    directory.publish("elevenlabs", [], "auth_failed: the key was refused", keep_s=60)

    models = _models(tmp_path, valkey)

    assert models["voicepipe-elevenlabs"]["voices"] == []
    assert models["voicepipe-elevenlabs"]["voices_error"] == "auth_failed: the key was refused"
