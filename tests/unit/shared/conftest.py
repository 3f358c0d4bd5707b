"""A Valkey server per test module, and a client of it emptied for each test: for the store
tests here that need a real server but no state from the test before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from shared.redis_keys import connect
from tests.conftest import ValkeyProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ValkeyProcess]:
    valkey = ValkeyProcess(tmp_path_factory.mktemp("valkey"))
    valkey.start()
    yield valkey
    valkey.stop()


@pytest.fixture
def client(server: ValkeyProcess) -> redis.Redis:
    client = connect(server.url)
    client.flushdb()
    return client
