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
from shared.settings import Settings, get_settings
from shared.storage import ObjectStorage, storage_from_settings


@dataclass(frozen=True)
class WorkerContext:
    settings: Settings
    storage: ObjectStorage
    jobs: JobStore
    pid: int

    @property
    def batches(self) -> BatchStore:
        return BatchStore(self.jobs.redis)


_context: WorkerContext | None = None


def get_context() -> WorkerContext:
    global _context
    if _context is None or _context.pid != os.getpid():
        settings = get_settings()
        _context = WorkerContext(
            settings=settings,
            storage=storage_from_settings(settings),
            # Blocking sockets: half the system calls per command, and the GIL is the
            # bottleneck of a threads pool (see JobStore.from_url for dead peers).
            jobs=JobStore.from_url(
                settings.broker.url, deadline_function(settings), socket_timeout=None
            ),
            pid=os.getpid(),
        )
    return _context
