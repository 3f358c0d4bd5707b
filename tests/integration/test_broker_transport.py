"""The broker transport against a real Valkey: a channel whose transport is detached, and what
a dropped connection hands back.

The whole of each failure is exercised by ``make chaos``: scenario 2a counts the workers that
exited at a broker restart, 2b the stages run twice after the broker dropped its clients.
"""

from __future__ import annotations

import os
import signal
import time
import weakref
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
import redis
from celery.worker import state
from kombu import Connection, Queue  # type: ignore[attr-defined]
from kombu.exceptions import OperationalError
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


class _Request:
    """What the worker's state holds for a task: its request, with the message, and a weak
    reference to the pool's job once it was handed to a pool."""

    def __init__(self, delivery_tag: str, job: object | None = None) -> None:
        self.message = SimpleNamespace(delivery_tag=delivery_tag)
        self._apply_result = None if job is None else weakref.ref(job)


class _PreforkJob:
    """billiard's ApplyResult as far as the transport looks: the child it is written to."""

    def __init__(self, written_to: object | None) -> None:
        self._write_to = written_to


class _ThreadJob:
    """A thread pool's job; only the pool's executor holds on to its work."""


def _restore_with(valkey: ValkeyProcess, second: Callable[[str], _Request]) -> tuple[int, int]:
    """Deliver two messages, have the worker run the first's task and hold the second as
    ``second`` makes it, hand back what the QoS hands back at a connection loss: then
    (messages waiting in the queue, still unacked)."""
    connection = Connection(valkey.url)
    queue = Queue("stt", routing_key="stt")(connection.default_channel)  # type: ignore[no-untyped-call]
    queue.declare()
    producer = connection.SimpleQueue("stt")
    producer.put({"n": 1})
    producer.put({"n": 2})
    running_tag, reserved_tag = (queue.get(no_ack=False).delivery_tag for _ in range(2))
    running, reserved = _Request(running_tag), second(reserved_tag)
    state.active_requests.add(running)
    state.reserved_requests.update((running, reserved))
    try:
        connection.default_channel.qos.restore_unacked()
    finally:
        state.active_requests.discard(running)
        state.reserved_requests.difference_update((running, reserved))
        connection.close()
    client = redis.Redis.from_url(valkey.url)
    try:
        return int(client.llen("stt")), int(client.hlen("unacked"))
    finally:
        client.close()


_PREFORK_JOB_NO_CHILD_PICKED = _PreforkJob(written_to=None)
_PREFORK_JOB_SENT_TO_A_CHILD = _PreforkJob(written_to=object())


def test_a_dropped_connection_hands_back_a_message_not_yet_handed_to_a_pool(
    valkey: ValkeyProcess,
) -> None:
    # The reserved one is back in its queue; the running one waits in the unacked set for its
    # task to finish (or, were it lost, for the visibility timeout).
    assert _restore_with(valkey, _Request) == (1, 1)


def test_a_dropped_connection_hands_back_a_prefork_job_no_child_was_sent(
    valkey: ValkeyProcess,
) -> None:
    # The pool's flush at the reconnection drops it, so only the broker can run it again.
    assert _restore_with(valkey, lambda tag: _Request(tag, _PREFORK_JOB_NO_CHILD_PICKED)) == (1, 1)


def test_a_dropped_connection_keeps_a_prefork_job_a_child_has_before_it_says_it_started(
    valkey: ValkeyProcess,
) -> None:
    # The child runs it whatever the master does: handed back, it ran twice (scenario 2b).
    assert _restore_with(valkey, lambda tag: _Request(tag, _PREFORK_JOB_SENT_TO_A_CHILD)) == (0, 2)


def test_a_dropped_connection_keeps_a_job_waiting_in_a_thread_pools_queue(
    valkey: ValkeyProcess,
) -> None:
    assert _restore_with(valkey, _handed_to_a_thread_pool) == (0, 2)


def _handed_to_a_thread_pool(tag: str) -> _Request:
    # Celery's thread pool returns a wrapper nobody keeps: the weak reference is dead at once,
    # while the work waits in the executor's queue.
    request = _Request(tag, _ThreadJob())
    assert request._apply_result is not None
    assert request._apply_result() is None
    return request


def test_a_cold_shutdown_hands_back_running_tasks_too(
    valkey: ValkeyProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state, "should_terminate", 1)
    assert _restore_with(valkey, lambda tag: _Request(tag, _PREFORK_JOB_SENT_TO_A_CHILD)) == (2, 0)


def _clients_before_and_after_a_pool_reset(channel: kombu_redis.Channel) -> list[redis.Redis]:
    clients = []
    for _ in range(2):
        with channel.conn_or_acquire() as client:
            client.ping()
            clients.append(client)
    channel._disconnect_pools()  # what kombu does to a channel whose connection was lost
    with channel.conn_or_acquire() as client:
        client.ping()
        clients.append(client)
    return clients


def test_a_channel_sends_every_command_through_one_client_until_its_pool_is_replaced(
    valkey: ValkeyProcess,
) -> None:
    connection = Connection(valkey.url)
    try:
        channel = connection.default_channel
        first, second, after_reset = _clients_before_and_after_a_pool_reset(channel)
        assert after_reset.connection_pool is channel.pool
    finally:
        connection.close()
    assert first is second
    assert after_reset is not first


def test_kombus_own_channel_still_builds_a_client_per_command_so_the_reuse_still_pays(
    valkey: ValkeyProcess,
) -> None:
    # When this fails, kombu keeps its clients itself, and Channel._create_client can go.
    connection = Connection(valkey.url, transport=kombu_redis.Transport)
    try:
        first, second, _ = _clients_before_and_after_a_pool_reset(connection.default_channel)
    finally:
        connection.close()
    assert first is not second


def test_the_apis_app_gives_up_sending_to_a_stopped_broker_within_its_budget_then_sends_again(
    valkey: ValkeyProcess,
) -> None:
    # kombu's sockets have no timeout of their own: a send to a broker that accepted the
    # connection and answered nothing (SIGSTOP) waited for as long as it stayed stopped.
    assert valkey.process is not None
    app = create_celery(Settings(broker=BrokerSettings(url=valkey.url)), budget_s=1.0)
    app.send_task("voicepipe.stt", args=["job_before"], queue="stt")
    os.kill(valkey.process.pid, signal.SIGSTOP)
    try:
        began = time.monotonic()
        with pytest.raises(OperationalError):
            app.send_task("voicepipe.stt", args=["job_during"], queue="stt")
        waited = time.monotonic() - began
    finally:
        os.kill(valkey.process.pid, signal.SIGCONT)
    app.send_task("voicepipe.stt", args=["job_after"], queue="stt")

    assert waited < 5  # generous against the 1 s budget
    assert redis.Redis.from_url(valkey.url).llen("stt") >= 2
