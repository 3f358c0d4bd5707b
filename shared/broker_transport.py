"""Kombu's Redis transport, with two fixes for a worker whose broker connection drops.

1. The worker stays alive through a broker restart.

Celery 5.7.0 closes the broken connection after a connection loss, once ``collect()`` has
already detached the transport from it (``transport.client = None``). Closing the default
channel then tries to hand its unacknowledged messages back, and building the client for
that reads ``self.connection.client.hostname``: an ``AttributeError``, not one of the
connection errors Celery ignores there, so the worker stopped with "Unrecoverable error"
instead of reconnecting. Seen in ``make chaos`` scenario 2 (broker SIGTERM + restart):
every worker exited at each restart and the supervisor started it again; a task caught
mid-call by the exit ran again on its redelivery, and its vendor was called twice.

Here that client asks for a broker connection that no longer exists and gets the
connection error it would get from a broker that went away. The close ignores it and
Celery reconnects. The messages stay where the unreachable broker left them anyway, in its
unacknowledged set: a task still running finishes and queues its job's next stage (its own
ack then fails on the old connection), and the message comes back after the visibility
timeout to find its stage done. Celery 5.6 did not close the connection there.

2. A task still running is not handed back while it runs. Where the broker stays up and only
the connection drops (a network blip, a proxy, ``CLIENT KILL``), closing the channel does
reach the broker, and kombu puts every unacknowledged message back in its queue at once,
including those of tasks still running in this worker (Celery lets them run on). The worker
then took them again while they ran: the stage, found "running", counted a crash and ran
a second time, its vendor called twice (18 of 50 jobs in ``make chaos`` scenario 2b). Those
messages now stay unacknowledged; the running task finishes and queues its job's next stage,
and the message comes back after the visibility timeout to find its stage done. Messages
only reserved (prefetched, not started) go back at once as before, and everything does in
a shutdown that does not wait for its tasks (Celery's cold shutdown).

3. One client per connection pool, not one per command.

Kombu builds a new ``redis.Redis`` for every command it sends outside the consumer's own
connection (``conn_or_acquire``): the unacknowledged-set write that precedes every task, the
ack after it, every publish. Building one costs ~60 µs of CPU here (redis-py 8, warm; more in
a worker just woken), under the GIL, for an object that only names the pool: the
connections come from the pool either way, and a client is safe to share between threads.
The channel keeps the one it built for as long as its pool lives, and builds another when
kombu replaces the pool after a connection loss.

4. A task starts without waiting for its unacknowledged-set write to be answered.

Kombu records each message it takes in the unacknowledged set (ZADD + HSET in MULTI/EXEC)
and waits for the broker's reply before handing the task to the pool: a round trip on every
queue hop. Here the write is sent, the task handed on, and the reply read before this QoS's
next write of the set (the next message, an ack, a reject, a restore), under a lock, so
those still reach the broker in the order kombu sends them. Nothing is less safe: the write
has left before the task starts, as before. A write that cannot be sent raises as in kombu;
one the broker answers with an error, which in kombu raised into the consumer with the
message already popped from its queue and never run, here leaves the task running with a
warning (were its worker then lost, the sweeper re-drives the job).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import kombu.transport
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.json import dumps
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("voicepipe.broker")

# How long a delivered message's unacknowledged-set write may go unanswered (normally
# well under a millisecond; a broker stalled by its disk, tens of milliseconds).
_SETTLE_TIMEOUT_S = 5.0


def _running_delivery_tags() -> set[str]:
    """Delivery tags of the tasks this worker process is running now (none outside one)."""
    from celery.worker import state  # the worker's own bookkeeping, cheap and in-process

    if state.should_terminate is not None:
        return set()  # a cold shutdown: they will not finish, so they go back too
    tags: set[str] = set()
    for request in list(state.active_requests):
        tag = request.message.delivery_tag
        if isinstance(tag, str):
            tags.add(tag)
    return tags


class QoS(kombu_redis.QoS):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        # The connection whose unacknowledged-set write is not answered yet, with its pool.
        self._unsettled: tuple[Any, Any] | None = None
        self._settling = threading.Lock()

    def append(self, message: Any, delivery_tag: str) -> None:
        if self.channel.global_keyprefix:  # keys written raw below would miss the prefix
            super().append(message, delivery_tag)  # type: ignore[no-untyped-call]
            return
        self._settle()
        delivery = message.delivery_info
        entry = dumps([message._raw, delivery["exchange"], delivery["routing_key"]])  # type: ignore[no-untyped-call]
        pool = self.channel.pool
        connection = pool.get_connection()
        try:
            connection.send_packed_command(
                connection.pack_commands(
                    [
                        ("MULTI",),
                        ("ZADD", self.unacked_index_key, time.time(), delivery_tag),
                        ("HSET", self.unacked_key, delivery_tag, entry),
                        ("EXEC",),
                    ]
                )
            )
        except BaseException:
            connection.disconnect()
            pool.release(connection)
            raise
        with self._settling:
            self._unsettled = (pool, connection)
        virtual.QoS.append(self, message, delivery_tag)  # type: ignore[no-untyped-call]

    def _settle(self) -> None:
        """Read the answer to the last unacknowledged-set write (4 replies: MULTI, two
        QUEUED, EXEC's), waiting for it if it is still on its way."""
        with self._settling:
            if self._unsettled is None:
                return
            (pool, connection), self._unsettled = self._unsettled, None
            answered = False
            try:
                # Bounded: kombu's connections have no socket timeout, and a broker that
                # went silent (a partition) must not hang the close that follows its loss.
                if not connection.can_read(timeout=_SETTLE_TIMEOUT_S):
                    raise RedisTimeoutError(f"no answer in {_SETTLE_TIMEOUT_S:g} s")
                for _ in range(3):
                    connection.read_response()
                # A command refused inside MULTI/EXEC (a key of the wrong type) is an error
                # in EXEC's answer, not one raised.
                for answer in connection.read_response():
                    if isinstance(answer, Exception):
                        raise answer
                answered = True
            except Exception as exc:  # noqa: BLE001 - the task runs on, unrecorded
                log.warning("recording a delivered message as unacknowledged failed: %s", exc)
            finally:
                if not answered:
                    # Its unread replies go with it, never to the pool's next user.
                    connection.disconnect()
                pool.release(connection)

    def ack(self, delivery_tag: str) -> None:
        self._settle()
        super().ack(delivery_tag)  # type: ignore[no-untyped-call]

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        self._settle()
        super().reject(delivery_tag, requeue)  # type: ignore[no-untyped-call]

    def restore_visible(self, *args: Any, **kwargs: Any) -> None:
        self._settle()
        super().restore_visible(*args, **kwargs)  # type: ignore[no-untyped-call]

    def restore_unacked(self, client: Any = None) -> Any:
        self._settle()
        for tag in _running_delivery_tags():
            self._delivered.pop(tag, None)
        return super().restore_unacked(client)  # type: ignore[no-untyped-call]


class Channel(kombu_redis.Channel):
    QoS = QoS
    _shared_client: Any = None

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # the consumer's own connection, made once per channel anyway
            return super()._create_client(asynchronous=True)  # type: ignore[no-untyped-call]
        pool = self.pool
        client = self._shared_client
        if client is None or client.connection_pool is not pool:
            client = self._shared_client = super()._create_client()  # type: ignore[no-untyped-call]
        return client

    def _disconnect_pools(self) -> None:
        # Kombu drops the pools before it restores what is unacknowledged at a close: the
        # last write's answer is read first, while its connection is still open.
        if self._qos is not None:
            self._qos._settle()
        super()._disconnect_pools()  # type: ignore[no-untyped-call]

    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection was closed after a connection loss")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[no-untyped-call]


class Transport(kombu_redis.Transport):
    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
SCHEMES = ("redis", "rediss")


def install() -> None:
    """Have redis:// and rediss:// URLs use this transport, in this process.

    By the URL's own scheme rather than Celery's ``broker_transport`` setting: named by path,
    the transport would lose what kombu does for the name "rediss" (TLS on), and the
    connection's URL would stop starting with redis://, which Flower reads to find the
    broker's queues.
    """
    for scheme in SCHEMES:
        kombu.transport.TRANSPORT_ALIASES[scheme] = TRANSPORT
        # Kombu caches what a name resolved to; nothing should have asked yet, but a stale
        # entry would silently keep the stock transport.
        kombu.transport._transport_cache.pop(scheme, None)
