"""The broker transport against a real Valkey: what a channel does once its transport is detached.

The whole of the failure (a worker exiting when the broker restarts) is exercised by
``make chaos`` scenario 2, which counts the workers that exited.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kombu import Connection
from kombu.transport import redis as kombu_redis

from shared import broker_transport
from shared.celery_app import create_celery
from shared.settings import BrokerSettings, Settings
from tests.conftest import ValkeyProcess


@pytest.fixture
def detached(valkey: ValkeyProcess, request: pytest.FixtureRequest) -> Iterator[Connection]:
    """A connection whose default channel was opened, then its transport detached, as
    ``Connection.collect()`` leaves it after a connection loss (``transport.client = None``)."""
    connection = Connection(valkey.url, transport=request.param)
    connection.default_channel.client.ping()
    connection.transport.client = None
    yield connection
    connection.transport.client = connection
    connection.close()


@pytest.mark.parametrize("detached", [None], indirect=True)
def test_a_detached_channel_asking_for_a_client_gets_a_connection_error_celery_ignores(
    detached: Connection,
) -> None:
    assert isinstance(detached.transport, broker_transport.Transport)
    with pytest.raises(detached.connection_errors):
        detached.default_channel._connparams()


@pytest.mark.parametrize("detached", [kombu_redis.Transport], indirect=True)
def test_kombus_own_transport_still_raises_what_stops_a_worker_so_the_fix_is_still_needed(
    detached: Connection,
) -> None:
    # When this fails, kombu fixed it, and shared/broker_transport.py can go. (Were Celery to
    # stop closing a collected connection instead, scenario 2 of make chaos would pass on
    # kombu's own transport: another way to know.)
    with pytest.raises(AttributeError, match="hostname"):
        detached.default_channel._connparams()


def test_celery_connections_use_the_transport_under_the_urls_own_scheme() -> None:
    app = create_celery(Settings(broker=BrokerSettings(url="redis://127.0.0.1:1/0")))
    connection = app.connection_for_write()
    assert isinstance(connection.transport, broker_transport.Transport)
    # Flower finds the broker's queues by this scheme, and kombu turns TLS on by "rediss".
    assert connection.as_uri().startswith("redis://")
    assert Connection("rediss://127.0.0.1:1/0").transport_cls == "rediss"
