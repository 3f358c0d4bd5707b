"""How the supervisor's children are tied to it and stopped (used by api.cli.stack)."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("voicepipe.stack")


@dataclass
class Child:
    name: str
    argv: list[str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)


def stop_together(children: list[Child], deadline: float) -> None:
    running = [c for c in children if c.process is not None and c.process.poll() is None]
    for child in running:
        assert child.process is not None
        child.process.send_signal(signal.SIGTERM)
    for child in running:
        assert child.process is not None
        try:
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in time; killing it", child.name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


_PR_SET_PDEATHSIG = 1


def stop_with_parent(parent: int, graceful: bool) -> Callable[[], None] | None:
    """For the child, between fork and exec: ask Linux to signal it when the supervisor
    dies, even by SIGKILL (the OOM killer's), so no child outlives it holding the ports.

    Valkey and the API get SIGTERM: Valkey writes its AOF, uvicorn stops its own worker
    processes, and neither needs anything else to do so. Celery workers (and the sweeper and
    Flower) get SIGKILL: their warm shutdown talks to the broker, which is going down at the
    same moment, and would retry for as long as it is gone. Killing them loses nothing: their
    unacknowledged messages are delivered again (acks_late), as when a worker is lost.
    Linux sends the signal when the *thread* that started the child ends, not the process:
    a thread that starts children must outlive them (``Stack._watch``).
    None where there is no prctl (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    death = signal.SIGTERM if graceful else signal.SIGKILL

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, death)
        if os.getppid() != parent:  # the supervisor died before the signal was set
            os.kill(os.getpid(), death)

    return set_death_signal
