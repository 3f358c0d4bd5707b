"""Which worker processes `voicepipe up` starts, and which it waits to hear from."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli.stack import Stack
from shared.queues import QUEUES
from shared.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        broker={"embedded": False},
        providers={"llm": "claude"},
        anthropic={"api_key": "sk-test"},
    )


def test_up_starts_every_process_of_a_pool_each_with_its_own_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    stack = Stack(_settings(tmp_path), flower=False)

    workers = {c.name: c for c in stack._children() if c.name.startswith("worker-")}

    assert sorted(workers) == [
        "worker-ingest",
        "worker-llm",
        "worker-llm-2",
        "worker-stt",
        "worker-tts",
        "worker-webhooks",
    ]
    assert workers["worker-llm-2"].log_path.name == "worker-llm-2.log"


def test_up_is_ready_only_once_every_worker_process_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    stack = Stack(_settings(tmp_path), flower=False)
    one_each = [{f"{queue}@vm": {"ok": "pong"}} for queue in QUEUES]

    missing = stack.workers_missing(one_each)
    all_of_them = stack.workers_missing([*one_each, {"llm-2@vm": {"ok": "pong"}}])

    assert missing == {"llm-2"}
    assert all_of_them == set()
