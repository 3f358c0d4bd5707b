from __future__ import annotations

import pytest
from click.testing import CliRunner

from api.cli import main
from api.cli.commands import worker_command
from shared.models import Stage
from shared.settings import Settings, reset_settings_cache


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_an_io_pool_reserves_four_messages_per_slot_and_a_process_pool_one() -> None:
    settings = Settings(providers={"llm": "claude"}, anthropic={"api_key": "sk-test"})

    llm = worker_command(settings, Stage.LLM)
    stt = worker_command(settings, Stage.STT)

    assert (_option(llm, "-P"), _option(llm, "-c"), _option(llm, "--prefetch-multiplier")) == (
        "threads",
        "64",
        "4",
    )
    assert (_option(stt, "-P"), _option(stt, "--prefetch-multiplier")) == ("prefork", "1")


def test_the_worker_command_line_follows_the_settings_of_its_stage() -> None:
    settings = Settings(
        workers={"tts": {"pool": "threads", "concurrency": 12, "prefetch_multiplier": 2}}
    )

    command = worker_command(settings, Stage.TTS, name="t@%h", extra=("--include", "x"))

    assert _option(command, "-Q") == "tts"
    assert _option(command, "-n") == "t@%h"
    assert (_option(command, "-c"), _option(command, "--prefetch-multiplier")) == ("12", "2")
    assert "-E" in command  # Flower needs task events
    assert command[-2:] == ["--include", "x"]


def test_voicepipe_worker_replaces_itself_with_that_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: ran.append(list(argv)))
    monkeypatch.setenv("VOICEPIPE_WORKERS__LLM__CONCURRENCY", "7")
    reset_settings_cache()
    try:
        result = CliRunner().invoke(main, ["worker", "llm"])
    finally:
        monkeypatch.delenv("VOICEPIPE_WORKERS__LLM__CONCURRENCY")
        reset_settings_cache()

    assert result.exit_code == 0, result.output
    assert len(ran) == 1
    assert _option(ran[0], "-Q") == "llm"
    assert _option(ran[0], "-c") == "7"


def test_an_unknown_stage_is_refused_with_the_choices() -> None:
    result = CliRunner().invoke(main, ["worker", "asr"])

    assert result.exit_code == 2
    assert "'stt', 'llm', 'tts'" in result.output
