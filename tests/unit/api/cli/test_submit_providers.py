"""`voicepipe submit --stt/--llm/--tts NAME` checked against the engines the server runs
(GET /v1/models) before any file is uploaded: a name it does not run was refused only once
every recording had been sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import api.cli.batch_commands
from api.cli import main
from api.cli.answers import ApiClientError
from shared.settings import reset_settings_cache

MODELS = {
    "object": "list",
    "data": [
        {"id": "voicepipe-local", "stages": ["stt", "llm", "tts"]},
        {"id": "voicepipe-whisper", "stages": ["stt"]},
    ],
}


class Server:
    def __init__(self, models: dict[str, Any] | None = MODELS) -> None:
        self.models = models
        self.uploads = 0

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def engines(self) -> dict[str, list[str]] | None:
        if self.models is None:
            return None
        found = {}
        for card in self.models["data"]:
            found[card["id"].removeprefix("voicepipe-")] = card["stages"]
        return found

    def submit(self, *_: object, **__: object) -> dict[str, Any]:
        self.uploads += 1
        raise ApiClientError(400, "unknown_provider", "There is no stt provider 'nope'.")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    client = Server()
    monkeypatch.setattr(api.cli.batch_commands, "open_client", lambda url, key: client)
    reset_settings_cache()
    yield client
    reset_settings_cache()


def _submit(tmp_path: Path, *flags: str) -> Result:
    recording = tmp_path / "vm.wav"
    recording.write_bytes(b"RIFF")
    return CliRunner().invoke(main, ["submit", str(recording), "--no-wait", *flags])


def test_an_stt_provider_the_server_does_not_run_is_refused_before_the_upload(
    server: Server, tmp_path: Path
) -> None:
    result = _submit(tmp_path, "--stt", "nope")

    assert result.exit_code == 2, result.output
    assert server.uploads == 0
    assert "this server runs no stt provider 'nope'" in result.output
    assert "it runs local, whisper" in result.output


def test_a_provider_of_another_stage_is_refused_naming_that_stages_providers(
    server: Server, tmp_path: Path
) -> None:
    result = _submit(tmp_path, "--tts", "whisper")

    assert result.exit_code == 2, result.output
    assert server.uploads == 0
    assert "this server runs no tts provider 'whisper' (it runs local)" in result.output


def test_a_server_that_does_not_list_its_engines_leaves_the_choice_to_the_upload(
    server: Server, tmp_path: Path
) -> None:
    server.models = None

    result = _submit(tmp_path, "--stt", "nope")

    assert server.uploads == 1
    assert "unknown_provider" in result.output
