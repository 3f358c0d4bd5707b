"""The heartbeat step vouches for its worker through a warm shutdown, not through a reconnect."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from celery.bootsteps import CLOSE, RUN

from shared.pool_liveness import Incarnation
from workers.pool_heartbeat import PoolHeartbeat


class FakeLiveness:
    def __init__(self) -> None:
        self.vouched: list[tuple[Incarnation, float]] = []
        self.forgotten: list[set[str]] = []

    def vouch(self, incarnation: Incarnation, until: float) -> None:
        self.vouched.append((incarnation, until))

    def forget(self, worker: str, queues: set[str]) -> None:
        self.forgotten.append(set(queues))


def _step(consumed: set[str]) -> tuple[PoolHeartbeat, FakeLiveness]:
    step = PoolHeartbeat(SimpleNamespace(hub=None))
    liveness = FakeLiveness()
    step._liveness = liveness  # type: ignore[assignment]
    step._noted = set(consumed)
    step._consumed = set(consumed)
    return step, liveness


def _consumer(state: Any) -> SimpleNamespace:
    return SimpleNamespace(hostname="stt@a", blueprint=SimpleNamespace(state=state))


def test_a_worker_shutting_down_vouches_for_itself_for_its_pools_longest_hard_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("workers.pool_heartbeat.time.time", lambda: 1000.0)
    step, liveness = _step({"stt", "llm"})

    step.stop(_consumer(CLOSE))

    assert liveness.vouched == [(Incarnation("stt@a", step._started), 1000.0 + 960)]
    assert liveness.forgotten == [{"stt", "llm"}]


def test_a_consumer_restarting_after_a_lost_connection_vouches_for_nothing() -> None:
    step, liveness = _step({"stt"})

    step.stop(_consumer(RUN))

    assert liveness.vouched == []
    assert liveness.forgotten == [{"stt"}]
