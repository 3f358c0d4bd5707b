"""Which worker pools have a live worker consuming their queue, as the broker sees it.

Every worker's consumer notes, every ``BEAT_S``, the queues it consumes right now (a queue
cancelled with ``celery control cancel_consumer`` drops out) in one sorted set per queue,
scored by the time. A worker counts as live while its last note is under ``LIVE_S`` old, so
a worker that died or hangs ages out without anyone cleaning up after it. ``/readyz`` reads
the counts: a stack that takes jobs nobody will run is not ready.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import redis

from shared.redis_keys import key

BEAT_S = 2.0
# Three missed beats: a worker busy in a long event-loop turn is not declared dead.
LIVE_S = 3 * BEAT_S


def _pool_key(queue: str) -> str:
    return key("pool", queue)


class PoolLiveness:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def beat(self, worker: str, queues: Iterable[str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        pipe = self._redis.pipeline(transaction=False)
        for queue in queues:
            pipe.zadd(_pool_key(queue), {worker: now})
            # Workers that stopped noting themselves, long gone: keep the set small.
            pipe.zremrangebyscore(_pool_key(queue), "-inf", now - 10 * LIVE_S)
        pipe.execute()

    def forget(self, worker: str, queues: Iterable[str]) -> None:
        """A worker shutting down stops counting at once, not ``LIVE_S`` later."""
        pipe = self._redis.pipeline(transaction=False)
        for queue in queues:
            pipe.zrem(_pool_key(queue), worker)
        pipe.execute()

    def live(self, queues: Iterable[str], now: float | None = None) -> dict[str, int]:
        """How many live workers consume each queue."""
        now = time.time() if now is None else now
        names = list(queues)
        pipe = self._redis.pipeline(transaction=False)
        for queue in names:
            pipe.zcount(_pool_key(queue), now - LIVE_S, "+inf")
        return dict(zip(names, (int(n) for n in pipe.execute()), strict=True))
