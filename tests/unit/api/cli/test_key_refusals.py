"""A server with keys refusing the CLI's request: its message tells an HTTP client which
header to send, which a person at the command line cannot act on. The CLI adds where it
takes its key from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.cli import main
from shared.settings import reset_settings_cache
from tests.unit.api.cli.mock_server import serve

REFUSALS = {
    "missing_api_key": "This API needs a key: send 'Authorization: Bearer <key>'.",
    "invalid_api_key": "The API key is not valid (unknown, revoked or mistyped).",
}


@pytest.fixture(params=sorted(REFUSALS))
def refusing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    code: str = request.param

    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": code, "message": REFUSALS[code]}})

    serve(monkeypatch, answer)
    reset_settings_cache()
    yield code
    reset_settings_cache()


@pytest.mark.parametrize(
    "command",
    [["status", "job_1"], ["batch", "status", "bat_1"], ["submit", "a.wav", "b.wav"]],
    ids=" ".join,
)
def test_a_key_refusal_says_where_the_cli_takes_its_key_from(
    command: list[str], refusing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a.wav", "b.wav"):
        (tmp_path / name).write_bytes(b"RIFF")

    result = CliRunner().invoke(main, command)

    assert result.exit_code == 1, result.output
    assert f"Error: {refusing}: {REFUSALS[refusing]}" in result.output
    assert "VOICEPIPE_CLIENT__API_KEY" in result.output
    assert "--api-key" in result.output
