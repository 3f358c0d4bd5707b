"""The one Redis/Valkey connection setup and the one key prefix every store builds on.

Each store (jobs, batches, webhook deliveries, idempotency keys) owns its keys below
``PREFIX`` and is handed a client; none reaches into another's.
"""

from __future__ import annotations

import socket
from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

PREFIX = "vp"

# Idle 10 s, then 3 probes 5 s apart; unacknowledged writes give up after 25 s.
_KEEPALIVE: dict[int, int] = {
    socket.TCP_KEEPIDLE: 10,
    socket.TCP_KEEPINTVL: 5,
    socket.TCP_KEEPCNT: 3,
    socket.TCP_USER_TIMEOUT: 25_000,
}


def key(*parts: str) -> str:
    return ":".join((PREFIX, *parts))


# A command rides out a broker restart: 12 retries, 0.1 s doubling to 2 s, ~19 s in all.
RETRIES = 12


def connect(url: str, socket_timeout: float | None = 10, retries: int = RETRIES) -> redis.Redis:
    """A client of ``url``. ``socket_timeout=None`` makes each command a plain blocking
    send and receive (a timeout adds a poll() before each, and under a busy GIL every
    extra system call is a wait): TCP keepalive and a user timeout still drop a dead peer
    within ~25 s. Fewer ``retries`` for a write not worth waiting for."""
    return redis.Redis.from_url(
        url, retry=Retry(ExponentialBackoff(cap=2.0, base=0.1), retries), **_options(socket_timeout)
    )


def connect_async(url: str, socket_timeout: float | None = 10) -> redis.asyncio.Redis:
    """As ``connect``, for an event loop: the same timeouts, keepalive and retries."""
    return redis.asyncio.Redis.from_url(
        url,
        retry=AsyncRetry(ExponentialBackoff(cap=2.0, base=0.1), RETRIES),
        **_options(socket_timeout),
    )


def _options(socket_timeout: float | None) -> dict[str, Any]:
    # With the retry above: ride out a broker restart (seconds) instead of failing mid-command.
    return {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": 5,
        "socket_keepalive": True,
        "socket_keepalive_options": _KEEPALIVE,
        "health_check_interval": 30,
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
    }
