"""shared.redis_keys: the API's clients give up on a broker within their budget; a restart
shorter than it is ridden out."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from pathlib import Path

import pytest
import redis

from shared.redis_keys import connect_async_within, connect_within
from tests.conftest import ValkeyProcess, free_port

# Generous against the budgets below: the stores' own clients took ~19 s on a broker that
# is down, ~95 s on one that does not answer.
WITHIN_S = 5.0


def test_a_broker_that_is_down_fails_a_command_within_the_budget() -> None:
    client = connect_within(f"redis://127.0.0.1:{free_port()}/0", budget_s=1.0)
    began = time.monotonic()

    with pytest.raises(redis.ConnectionError):
        client.ping()

    assert time.monotonic() - began < WITHIN_S


def test_a_broker_that_does_not_answer_fails_a_command_within_the_budget(
    valkey: ValkeyProcess,
) -> None:
    assert valkey.process is not None
    client = connect_within(valkey.url, budget_s=1.0)
    client.ping()
    os.kill(valkey.process.pid, signal.SIGSTOP)
    try:
        began = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            client.get("anything")
        waited = time.monotonic() - began
    finally:
        os.kill(valkey.process.pid, signal.SIGCONT)

    assert waited < WITHIN_S
    assert client.ping()  # and the next command finds it again


def test_the_asyncio_client_gives_up_as_soon(valkey: ValkeyProcess) -> None:
    assert valkey.process is not None

    async def run() -> float:
        client = connect_async_within(valkey.url, budget_s=1.0)
        await client.ping()
        os.kill(valkey.process.pid, signal.SIGSTOP)  # type: ignore[union-attr]
        try:
            began = time.monotonic()
            with pytest.raises(redis.TimeoutError):
                await client.get("anything")
            return time.monotonic() - began
        finally:
            os.kill(valkey.process.pid, signal.SIGCONT)  # type: ignore[union-attr]
            await client.aclose()

    assert asyncio.run(run()) < WITHIN_S


def test_a_restart_shorter_than_the_budget_is_ridden_out(tmp_path: Path) -> None:
    server = ValkeyProcess(tmp_path / "valkey")
    client = connect_within(server.url, budget_s=10.0)
    # The broker comes up while the command is being retried.
    starter = threading.Timer(0.5, server.start)
    starter.start()
    try:
        assert client.set("key", "value")
    finally:
        starter.join()
        server.stop()
