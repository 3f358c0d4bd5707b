"""`voicepipe api|sweeper|flower` replace themselves with the command lines `voicepipe up`
starts, configured from the same settings (the exec is intercepted here)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from api.cli import main
from shared.settings import reset_settings_cache

Ran = list[tuple[list[str], dict[str, str]]]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> Iterator[Ran]:
    calls: Ran = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: calls.append((list(argv), dict(env))))
    reset_settings_cache()
    yield calls
    reset_settings_cache()


def test_voicepipe_api_runs_uvicorn_on_the_configured_port_and_processes(
    ran: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_API__PORT", "8123")
    monkeypatch.setenv("VOICEPIPE_API__PROCESSES", "3")

    result = CliRunner().invoke(main, ["api"])

    assert result.exit_code == 0, result.output
    ((argv, _),) = ran
    assert argv[1:5] == ["-m", "uvicorn", "--factory", "api.main:create_app"]
    assert argv[argv.index("--port") + 1] == "8123"
    assert argv[argv.index("--workers") + 1] == "3"


def test_voicepipe_sweeper_runs_the_sweeper_module(ran: Ran) -> None:
    result = CliRunner().invoke(main, ["sweeper"])

    assert result.exit_code == 0, result.output
    assert ran[0][0][1:] == ["-m", "workers.sweeper"]


def test_voicepipe_flower_passes_its_password_through_the_environment_not_argv(
    ran: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWER_BASIC_AUTH", raising=False)
    monkeypatch.setenv("VOICEPIPE_FLOWER__BASIC_AUTH", "ops:a-long-enough-password")

    result = CliRunner().invoke(main, ["flower"])

    assert result.exit_code == 0, result.output
    ((argv, env),) = ran
    assert argv[1:6] == ["-m", "celery", "-A", "workers.app", "flower"]
    assert env["FLOWER_BASIC_AUTH"] == "ops:a-long-enough-password"
    assert not any("a-long-enough-password" in arg for arg in argv)


def test_voicepipe_flower_refuses_to_start_without_basic_auth(
    ran: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLOWER_BASIC_AUTH", raising=False)
    monkeypatch.delenv("VOICEPIPE_FLOWER__BASIC_AUTH", raising=False)

    result = CliRunner().invoke(main, ["flower"])

    assert result.exit_code != 0
    assert "FLOWER_BASIC_AUTH" in result.output
    assert ran == []
