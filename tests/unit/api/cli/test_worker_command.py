from __future__ import annotations

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from api.cli import main
from api.cli.commands import worker_command, worker_commands
from shared.models import Stage
from shared.queues import QUEUES
from shared.settings import Settings, reset_settings_cache


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def _slots(commands: list[tuple[str, list[str]]]) -> list[str]:
    """The concurrency of each process of a pool."""
    return [_option(command, "-c") for _, command in commands]


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


def _cloud_settings(**workers: object) -> Settings:
    return Settings(
        providers={"stt": "whisper", "llm": "claude", "tts": "elevenlabs"},
        openai={"api_key": "sk-openai"},
        anthropic={"api_key": "sk-test"},
        elevenlabs={"api_key": "el-test"},
        workers=workers,
    )


def test_a_pool_waiting_on_the_network_runs_one_process_per_core_sharing_its_slots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)

    llm = worker_commands(_cloud_settings(), Stage.LLM)

    assert [name for name, _ in llm] == ["worker-llm", "worker-llm-2"]
    assert [_option(command, "-n") for _, command in llm] == ["llm@%h", "llm-2@%h"]
    assert _slots(llm) == ["32", "32"]
    assert {_option(command, "-Q") for _, command in llm} == {"llm"}
    assert len(worker_commands(_cloud_settings(), Stage.TTS)) == 2


def test_a_cloud_transcription_pool_stays_one_process_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # It decodes every recording itself: a second process would take a core from the API.
    monkeypatch.setattr("os.cpu_count", lambda: 2)

    alone = worker_commands(_cloud_settings(), Stage.STT)
    told = worker_commands(_cloud_settings(stt={"processes": 2}), Stage.STT)

    assert _slots(alone) == ["32"]
    assert _slots(told) == ["16", "16"]


def test_slots_are_shared_as_evenly_as_whole_slots_allow() -> None:
    settings = _cloud_settings(tts={"concurrency": 5, "processes": 2})

    tts = worker_commands(settings, Stage.TTS)

    assert _slots(tts) == ["3", "2"]


def test_process_pools_offline_threads_and_the_side_pools_stay_one_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    settings = Settings()  # the offline engines: prefork stt and tts, threads for the reply

    counts = {queue: len(worker_commands(settings, queue)) for queue in QUEUES}

    assert counts == dict.fromkeys(QUEUES, 1)
    assert worker_commands(settings, "llm")[0][0] == "worker-llm"


def test_a_big_host_gets_at_most_four_processes_and_never_more_than_slots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 16)

    llm = worker_commands(_cloud_settings(), Stage.LLM)
    few = worker_commands(_cloud_settings(llm={"concurrency": 3}), Stage.LLM)

    assert _slots(llm) == ["16"] * 4
    assert _slots(few) == ["1", "1", "1"]


def test_more_processes_than_slots_is_refused_with_both_figures() -> None:
    with pytest.raises(ValidationError, match=r"workers.llm: processes \(9\) must not exceed"):
        Settings(workers={"llm": {"concurrency": 4, "processes": 9}})


def test_voicepipe_worker_is_one_process_with_the_pools_whole_concurrency() -> None:
    # A container platform scales a pool by replicas: each container is one process.
    settings = _cloud_settings(llm={"concurrency": 64, "processes": 2})

    command = worker_command(settings, Stage.LLM)

    assert (_option(command, "-n"), _option(command, "-c")) == ("llm@%h", "64")
