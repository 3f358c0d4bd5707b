"""shared.broker_clock: fences in the broker's time, read from its clock once a minute."""

from __future__ import annotations

import time
from typing import cast

import pytest
import redis

from shared import broker_clock
from shared.broker_clock import BrokerClock


class _Broker:
    """A broker whose clock says ``now`` (Unix seconds), counting the readings."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.readings = 0

    def time(self) -> tuple[int, int]:
        self.readings += 1
        return int(self.now), int((self.now % 1) * 1e6)


def _fence(clock: BrokerClock, broker: _Broker) -> int:
    return clock.fence_ms(cast(redis.Redis, broker), time.monotonic())


def test_the_fence_falls_a_margin_before_the_budget_ends_by_the_brokers_clock() -> None:
    # The broker's clock far from this machine's: only its own time counts.
    broker = _Broker(now=1_000_000.0)

    fence = _fence(BrokerClock(budget_s=3.0), broker)

    assert fence == pytest.approx((1_000_000.0 + 3.0 - 1.0) * 1000, abs=100)


def test_a_short_budget_keeps_a_third_of_itself_as_the_margin() -> None:
    fence = _fence(BrokerClock(budget_s=0.6), _Broker(now=500.0))

    assert fence == pytest.approx((500.0 + 0.4) * 1000, abs=100)


def test_the_clock_is_read_once_a_minute_and_again_after_a_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker, clock = _Broker(now=1_000.0), BrokerClock(budget_s=3.0)

    _fence(clock, broker)
    _fence(clock, broker)
    assert broker.readings == 1

    clock.forget()  # a call refused as too late: perhaps the broker's clock was stepped
    _fence(clock, broker)
    assert broker.readings == 2

    monkeypatch.setattr(broker_clock, "REFRESH_S", 0.0)
    _fence(clock, broker)
    assert broker.readings == 3
