"""Finding and killing the process that runs a task, through Celery's inspect and /proc."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

from celery import Celery


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited while we looked
        # The command name may hold spaces and parentheses: fields start after the last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def busy_pids(app: Celery, queue: str) -> list[int]:
    """Pids running a task right now in the ``queue`` worker (named ``<queue>@<host>``).

    A prefork child is idle between two tasks; killing an idle one proves nothing, so the
    worker itself says which process holds a task: the child for prefork, the worker
    process itself for the threads pool.
    """
    name = f"{queue}@{socket.gethostname()}"
    replies = app.control.inspect(destination=[name], timeout=1.0, limit=1).active() or {}
    return sorted({int(task["worker_pid"]) for task in replies.get(name, [])})


def kill9(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True
