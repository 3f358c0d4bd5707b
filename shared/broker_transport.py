"""Kombu's Redis transport, with one fix that keeps a worker alive through a broker restart.

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
"""

from __future__ import annotations

from typing import Any

import kombu.transport
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
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
