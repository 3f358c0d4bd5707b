"""Per-process handles (settings, storage, job store) shared by the tasks of a worker.

Created on first use rather than at import, so each prefork child opens its own
connections after the fork instead of sharing the parent's sockets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from shared.batchstore import BatchStore
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.redis_keys import connect
from shared.settings import Settings, get_settings
from shared.storage import ObjectStorage, storage_from_settings


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    storage: ObjectStorage
    jobs: JobStore
    batches: BatchStore
    pid: int


_context: WorkerContext | None = None


def get_context() -> WorkerContext:
    global _context
    if _context is None or _context.pid != os.getpid():
        settings = get_settings()
        # Blocking sockets: half the system calls per command, and the GIL is the
        # bottleneck of a threads pool (see shared.redis_keys.connect for dead peers).
        client = connect(settings.broker.url, socket_timeout=None)
        _context = WorkerContext(
            settings=settings,
            storage=storage_from_settings(settings),
            jobs=JobStore(client, deadline_function(settings)),
            batches=BatchStore(client),
            pid=os.getpid(),
        )
    return _context
