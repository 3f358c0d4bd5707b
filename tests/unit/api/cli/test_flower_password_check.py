"""`voicepipe flower` holds FLOWER_BASIC_AUTH (what compose and the Kubernetes Secret set) to
the rule VOICEPIPE_FLOWER__BASIC_AUTH is held to: user:password, password of 12 or more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from api.cli import main
from shared.settings import reset_settings_cache


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    calls: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: calls.append(list(argv)))
    monkeypatch.delenv("VOICEPIPE_FLOWER__BASIC_AUTH", raising=False)
    reset_settings_cache()
    yield calls
    reset_settings_cache()


@pytest.mark.parametrize("value", ["admin", "admin:admin", ":a-long-enough-password", "ops:"])
def test_a_weak_or_malformed_flower_basic_auth_is_refused_without_starting_flower(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("FLOWER_BASIC_AUTH", value)

    result = CliRunner().invoke(main, ["flower"])

    assert result.exit_code == 1
    assert "FLOWER_BASIC_AUTH" in result.output
    password = value.partition(":")[2]
    assert not password or password not in result.output
    assert started == []


def test_several_strong_flower_users_are_accepted(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWER_BASIC_AUTH", "ops:a-long-enough-password,oncall:another-long-one")

    result = CliRunner().invoke(main, ["flower"])

    assert result.exit_code == 0, result.output
    assert len(started) == 1
