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
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from circuitbreaker import CircuitBreaker

from shared.errors import StorageUnavailable
from shared.settings import Settings
from shared.storage import ObjectStorage, Patience, storage_from_settings

T = TypeVar("T")

# What S3 answers for a key that is not there: the store is up.
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})


def _store_failed(kind: type[BaseException], exc: BaseException) -> bool:
    """Whether an exception is the store failing (counted), not an answer about a key."""
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") not in _NOT_FOUND
    return isinstance(exc, BotoCoreError)


class GuardedStorage(ObjectStorage):
    """``inner`` behind a circuit breaker, its failures raised as ``StorageUnavailable``."""

    def __init__(self, inner: ObjectStorage, failures: int, cool_down_s: float) -> None:
        self._inner = inner
        self._cool_down_s = cool_down_s
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
            raise StorageUnavailable(
                "Object storage is not reachable; try again.",
                retry_after_s=max(1, math.ceil(self._cool_down_s)),
            ) from exc

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


def api_storage(settings: Settings) -> ObjectStorage:
    """The storage API requests use: S3 with the API's budget, behind the breaker. A local
    directory has no outage to wait out (a full disk fails at once), so it is used as is."""
    cfg = settings.storage
    store = storage_from_settings(settings, Patience(cfg.api_timeout_s, 2))
    if cfg.backend != "s3":
        return store
    return GuardedStorage(store, cfg.api_breaker_failures, cfg.api_breaker_cool_down_s)
