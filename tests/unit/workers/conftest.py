"""What the batch workers' tests share: a worker's context over a real Valkey."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.batchstore import BatchStore
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.redis_keys import connect
from shared.settings import BrokerSettings, Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess
from workers.context import WorkerContext


@pytest.fixture
def ctx(valkey: ValkeyProcess, tmp_path: Path) -> Iterator[WorkerContext]:
    """Local storage under ``tmp_path``, the job and batch stores on the test's Valkey."""
    settings = Settings(data_dir=tmp_path, broker=BrokerSettings(url=valkey.url))
    client = connect(valkey.url)
    yield WorkerContext(
        settings=settings,
        storage=LocalStorage(tmp_path / "objects"),
        jobs=JobStore(client, deadline_function(settings)),
        batches=BatchStore(client),
        pid=os.getpid(),
    )
    client.close()
