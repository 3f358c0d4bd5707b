"""A worker's per-process handles over a real Valkey and local storage, for tests that run
stage or ingest code in the test process."""

from __future__ import annotations

import os
from pathlib import Path

from shared.batchstore import BatchStore
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.redis_keys import connect
from shared.settings import BrokerSettings, Settings
from shared.storage import LocalStorage
from workers.context import WorkerContext


def local_worker_context(broker_url: str, data_dir: Path) -> WorkerContext:
    """The context a worker would make with its data under ``data_dir`` (objects in its
    ``objects`` folder) and its broker at ``broker_url``."""
    settings = Settings(data_dir=data_dir, broker=BrokerSettings(url=broker_url))
    client = connect(broker_url)
    return WorkerContext(
        settings=settings,
        storage=LocalStorage(settings.objects_dir),
        jobs=JobStore(client, deadline_function(settings)),
        batches=BatchStore(client),
        pid=os.getpid(),
    )
