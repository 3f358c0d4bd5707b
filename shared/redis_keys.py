"""The one Redis/Valkey connection setup and the one key prefix every store builds on.

Each store (jobs, batches, webhook deliveries, idempotency keys) owns its keys below
``PREFIX`` and is handed a client; none reaches into another's.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

PREFIX = "vp"
_T = TypeVar("_T")

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


def connect_within(url: str, budget_s: float) -> redis.Redis:
    """A client for a caller someone is waiting on (the API): a command that cannot reach the
    broker fails within about ``budget_s`` (a ``ConnectionError`` or ``TimeoutError``), where
    ``connect``'s would ride out a restart for ~19 s, or ~95 s on a broker that accepts
    connections but does not answer (stopped, swapping, behind a stuck proxy). A restart
    shorter than the budget is still ridden out."""
    return redis.Redis.from_url(url, retry=RetryWithin(budget_s), **_budget_options(budget_s))


def connect_async_within(url: str, budget_s: float) -> redis.asyncio.Redis:
    """As ``connect_within``, for an event loop."""
    return redis.asyncio.Redis.from_url(
        url, retry=AsyncRetryWithin(budget_s), **_budget_options(budget_s)
    )


def _budget_options(budget_s: float) -> dict[str, Any]:
    # One attempt may take the whole budget: a broker that accepts but does not answer.
    return {**_options(budget_s), "socket_connect_timeout": budget_s}


# Quick retries: a refused connection costs nothing, and the budget ends them anyway.
def _quick_backoff() -> ExponentialBackoff:
    return ExponentialBackoff(cap=0.5, base=0.05)


class RetryWithin(Retry):
    """Retries a failed command while the next attempt would start within ``budget_s`` of the
    first; an attempt that timed out has spent the budget, so nothing follows it. Nested
    calls (redis-py retries a connect inside a command's retry) each stop at their own
    deadline, and the outer one's is never the later."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(_quick_backoff(), -1)
        self.budget_s = budget_s

    def call_with_retry(
        self,
        do: Callable[[], _T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> _T:
        deadline = time.monotonic() + self.budget_s
        failures = 0
        while True:
            try:
                return do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                pause = self._backoff.compute(failures)
                if time.monotonic() + pause >= deadline:
                    raise
                time.sleep(pause)


class AsyncRetryWithin(AsyncRetry):
    """``RetryWithin`` for the asyncio client."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(_quick_backoff(), -1)
        self.budget_s = budget_s

    async def call_with_retry(
        self,
        do: Callable[[], Awaitable[_T]],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> _T:
        deadline = time.monotonic() + self.budget_s
        failures = 0
        while True:
            try:
                return await do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    await fail(error, failures)
                else:
                    await fail(error)
                pause = self._backoff.compute(failures)
                if time.monotonic() + pause >= deadline:
                    raise
                await asyncio.sleep(pause)
