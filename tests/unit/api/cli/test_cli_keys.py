from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

import api.cli.batch_commands
from api.cli import main
from api.cli.client import VoicePipeClient
from api.security import hash_key, is_well_formed
from shared.settings import Settings, reset_settings_cache


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    reset_settings_cache()
    yield
    reset_settings_cache()


def test_keys_create_prints_the_key_once_and_the_entry_holding_only_its_hash() -> None:
    result = CliRunner().invoke(main, ["keys", "create", "--tenant", "acme"])

    assert result.exit_code == 0, result.output
    key = re.search(r"\bvp_\S+", result.output)
    assert key is not None
    assert is_well_formed(key.group())
    assert result.output.count(key.group()) == 1
    entry = f"acme:{hash_key(key.group())}"
    assert entry in result.output
    assert Settings(auth={"keys": [entry]}).auth.keys == [entry]


def test_keys_create_refuses_a_tenant_name_settings_would_refuse() -> None:
    result = CliRunner().invoke(main, ["keys", "create", "--tenant", "Acme Corp"])

    assert result.exit_code == 2
    assert "--tenant" in result.output


def test_the_client_sends_its_key_as_a_bearer_token_and_nothing_without_one() -> None:
    with VoicePipeClient("http://127.0.0.1:1", api_key="vp_k") as keyed:
        assert keyed.http.headers["authorization"] == "Bearer vp_k"
    with VoicePipeClient("http://127.0.0.1:1") as anonymous:
        assert "authorization" not in anonymous.http.headers


class _Recorder:
    keys: list[str | None] = []

    def __init__(self, base_url: str, *, api_key: str | None = None) -> None:
        self.keys.append(api_key)

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def job(self, job_id: str) -> dict[str, Any]:
        return {"id": job_id}


@pytest.mark.parametrize(
    ("args", "expected"),
    [([], "vp_from_env"), (["--api-key", "vp_from_option"], "vp_from_option")],
)
def test_status_sends_the_option_key_else_the_configured_client_key(
    monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.setenv("VOICEPIPE_CLIENT__API_KEY", "vp_from_env")
    monkeypatch.setattr(api.cli.batch_commands, "VoicePipeClient", _Recorder)
    _Recorder.keys = []

    result = CliRunner().invoke(main, ["status", "job_1", *args])

    assert result.exit_code == 0, result.output
    assert _Recorder.keys == [expected]
