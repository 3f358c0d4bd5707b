"""The API's object storage: a store that is down is answered 503 at once, not waited on.

Every API call to S3 waits up to ``STORAGE__API_TIMEOUT_S`` twice before it fails. While a
store is down, or accepts connections and never answers, each request would pay that whole
wait, and an upload's bytes stay in memory all the while: clients that retry pile up
uploads faster than they are refused. So after ``STORAGE__API_BREAKER_FAILURES`` failed
calls in a row, an API process stops asking the store for ``STORAGE__API_BREAKER_COOL_DOWN_S``
and answers 503 with ``Retry-After`` at once (a circuit breaker). After the cool-down the
next requests ask again: one success closes the breaker, one failure opens it again.

Each process keeps its own breaker: it needs no shared state, and a process that has not
seen the outage yet still finds it within its own few requests. ``/readyz`` asks the store
through a client of its own, never through the breaker, so readiness tells the truth.

Only the store's own failures count: connecting, timing out, a 5xx, refused credentials.
A missing object is an answer (the store is up), and it closes the breaker as a success.

Operators see it: each process notes in Redis when its breaker opens and closes, and counts
the requests it refused, for the API's ``/metrics`` (``voicepipe_storage_breaker_open``,
``voicepipe_storage_breaker_refusals_total``); and it logs one WARNING when an outage opens
it and one when the store answers again, not one for every trial between.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from circuitbreaker import CircuitBreaker

from shared.errors import StorageUnavailable
from shared.metrics_store import MetricsStore
from shared.settings import Settings
from shared.storage import ObjectStorage, Patience, storage_from_settings

T = TypeVar("T")

log = logging.getLogger("voicepipe.api.storage")

# What S3 answers for a key that is not there: the store is up.
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})


def _store_failed(kind: type[BaseException], exc: BaseException) -> bool:
    """Whether an exception is the store failing (counted), not an answer about a key."""
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") not in _NOT_FOUND
    return isinstance(exc, BotoCoreError)


def _process() -> str:
    # Read when noted, not when built: an app made before uvicorn forks is each child's.
    return f"{socket.gethostname()}:{os.getpid()}"


class GuardedStorage(ObjectStorage):
    """``inner`` behind a circuit breaker, its failures raised as ``StorageUnavailable``."""

    def __init__(
        self,
        inner: ObjectStorage,
        failures: int,
        cool_down_s: float,
        figures: MetricsStore | None = None,
    ) -> None:
        self._inner = inner
        self._cool_down_s = cool_down_s
        self._figures = figures
        # When the current outage opened the breaker (monotonic), None while closed: the
        # breaker itself half-opens and re-opens at every trial, an outage is one.
        self._outage_since: float | None = None
        # Requests run on a thread pool: one of them reports each change.
        self._lock = threading.Lock()
        self._breaker = CircuitBreaker(
            failure_threshold=failures,
            recovery_timeout=cool_down_s,
            expected_exception=_store_failed,
            name="object storage",
        )

    @property
    def open(self) -> bool:
        """Whether requests are being refused without asking the store."""
        return bool(self._breaker.opened)

    def _call(self, call: Callable[..., T], *args: str | bytes | int) -> T:
        if self._breaker.opened:
            if self._figures is not None:
                self._figures.count("storage_breaker_refusals")
            raise StorageUnavailable(
                "Object storage is not reachable (it failed the last "
                f"{self._breaker.failure_count} requests); try again later.",
                retry_after_s=max(1, math.ceil(self._breaker.open_remaining)),
            )
        try:
            with self._breaker:
                return call(*args)
        except (BotoCoreError, ClientError) as exc:
            if not _store_failed(type(exc), exc):
                raise
            self._failed(exc)
            raise StorageUnavailable(
                "Object storage is not reachable; try again.",
                retry_after_s=max(1, math.ceil(self._cool_down_s)),
            ) from exc
        finally:
            # Any answer closes the breaker, a missing key's as well as a success.
            if self._breaker.closed:
                self._closed()

    def _failed(self, exc: BaseException) -> None:
        if not self._breaker.opened:
            return
        with self._lock:
            first = self._outage_since is None
            if first:
                self._outage_since = time.monotonic()
            if self._figures is not None:
                # Each (re-)opening: the gauge counts this process until this cool-down ends.
                self._figures.note_breaker_open(_process(), time.time() + self._cool_down_s)
        if first:
            # The exception's type only: botocore's messages carry the endpoint's URL.
            log.warning(
                "object storage breaker opened after %d failed requests in a row (last: %s); "
                "requests are answered 503 without asking the store for %g s at a time",
                self._breaker.failure_count,
                type(exc).__name__,
                self._cool_down_s,
            )

    def _closed(self) -> None:
        if self._outage_since is None:
            return
        with self._lock:
            since, self._outage_since = self._outage_since, None
            if since is None:
                return
            if self._figures is not None:
                self._figures.note_breaker_closed(_process())
        log.warning(
            "object storage breaker closed: the store answered again after %.0f s",
            time.monotonic() - since,
        )

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self._call(self._inner.put, key, data, content_type)

    def get(self, key: str) -> bytes:
        return self._call(self._inner.get, key)

    def exists(self, key: str) -> bool:
        return self._call(self._inner.exists, key)

    def delete(self, key: str) -> None:
        self._call(self._inner.delete, key)

    def list(self, prefix: str = "") -> builtins.list[str]:
        return self._call(self._inner.list, prefix)

    def list_page(self, prefix: str, after: str, limit: int) -> builtins.list[str]:
        return self._call(self._inner.list_page, prefix, after, limit)

    def ping(self) -> None:
        self._call(self._inner.ping)

    def path_hint(self, key: str) -> str:
        return self._inner.path_hint(key)


def api_storage(settings: Settings, figures: MetricsStore | None = None) -> ObjectStorage:
    """The storage API requests use: S3 with the API's budget, behind the breaker (its state
    noted in ``figures``). A local directory has no outage to wait out (a full disk fails at
    once), so it is used as is."""
    cfg = settings.storage
    store = storage_from_settings(settings, Patience(cfg.api_timeout_s, 2))
    if cfg.backend != "s3":
        return store
    return GuardedStorage(store, cfg.api_breaker_failures, cfg.api_breaker_cool_down_s, figures)
