"""/readyz asks the broker and the storage at the same time, so two hung dependencies
answer within one check's timeout, not the sum of both."""

from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from api.routes import health


def test_the_broker_and_storage_checks_run_at_the_same_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each check waits for the other to have started: one after the other, the first
    # gives up (a broken barrier) before the second is asked.
    both = threading.Barrier(2, timeout=2)
    monkeypatch.setattr(health, "_live_pools", lambda services: {"stt": 1})
    services: Any = SimpleNamespace(
        probe=SimpleNamespace(ping=both.wait), storage_probe=SimpleNamespace(ping=both.wait)
    )

    answer = asyncio.run(health.readyz(services))

    assert json.loads(answer.body)["checks"] == {"broker": "ok", "storage": "ok", "pools": "ok"}
    assert answer.status_code == 200
