"""Ctrl-C or SIGTERM while `voicepipe up` is still starting: the start gives up at once
instead of waiting, deaf, until the stack is ready (or its 90 s run out)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from api.cli.readiness import StartInterrupted
from api.cli.stack import Stack
from shared.settings import Settings
from tests.conftest import free_port


def _stack(tmp_path: Path) -> Stack:
    # Nothing listens on these ports: the stack would wait its whole timeout for them.
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": f"redis://127.0.0.1:{free_port()}/0", "embedded": False},
        api={"port": free_port()},
    )
    return Stack(settings, flower=False)


def test_an_interrupt_ends_the_wait_for_the_stack_to_be_ready(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    threading.Timer(0.3, stack.interrupt).start()

    with pytest.raises(StartInterrupted):
        stack.wait_ready(timeout_s=60)


def test_an_interrupt_ends_the_wait_for_the_broker(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    threading.Timer(0.3, stack.interrupt).start()

    with pytest.raises(StartInterrupted):
        stack._wait_broker(timeout_s=60)
