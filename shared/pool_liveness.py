"""Which worker pools have a live worker consuming their queue, as the broker sees it.

Every worker's consumer notes, every ``BEAT_S``, the queues it consumes right now (a queue
cancelled with ``celery control cancel_consumer`` drops out) in one sorted set per queue,
scored by the time. A worker counts as live while its last note is under ``LIVE_S`` old, so
a worker that died or hangs ages out without anyone cleaning up after it. ``/readyz`` reads
the counts: a stack that takes jobs nobody will run is not ready.

With the same beat, each worker process notes itself as an ``Incarnation`` (its node name and
when it started) in one more set, whatever it consumes: the sweeper reads it to tell a stage
whose worker died (no beat for a while, or the same name started again since) from one still
being worked on (see ``shared.orphans``). A node name alone would not do: a worker killed
and started again under its old name (the supervisor's restart, a container's) beats at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import redis

from shared.redis_keys import key

BEAT_S = 2.0
# Three missed beats: a worker busy in a long event-loop turn is not declared dead.
LIVE_S = 3 * BEAT_S


# Incarnations are kept this long after their last beat: long past any outage of the broker
# (one whose workers were all silent must not make every worker look never seen), and few:
# one per worker process started in the last hour.
KEEP_INCARNATIONS_S = 3600.0
INCARNATIONS = key("incarnations")


def _pool_key(queue: str) -> str:
    return key("pool", queue)


@dataclass(frozen=True)
class Incarnation:
    """One run of a worker process: its Celery node name and when it started (its clock)."""

    name: str
    started: float

    @property
    def member(self) -> str:
        return f"{self.name}#{self.started!r}"

    @classmethod
    def parse(cls, member: str) -> Incarnation | None:
        name, sep, started = member.rpartition("#")
        try:
            return cls(name, float(started)) if sep and name else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Seen:
    """An incarnation and the time of its last beat (later than now: it vouched for itself
    until then, as a worker draining its tasks at shutdown does)."""

    incarnation: Incarnation
    at: float


class PoolLiveness:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def beat(
        self,
        worker: str,
        queues: Iterable[str],
        now: float | None = None,
        started: float | None = None,
    ) -> None:
        """Note ``worker`` as consuming ``queues`` now, and, given when it ``started``, as
        alive (in the same round trip)."""
        now = time.time() if now is None else now
        pipe = self._redis.pipeline(transaction=False)
        for queue in queues:
            pipe.zadd(_pool_key(queue), {worker: now})
            # Workers that stopped noting themselves, long gone: keep the set small.
            pipe.zremrangebyscore(_pool_key(queue), "-inf", now - 10 * LIVE_S)
        if started is not None:
            pipe.zadd(INCARNATIONS, {Incarnation(worker, started).member: now})
            pipe.zremrangebyscore(INCARNATIONS, "-inf", now - KEEP_INCARNATIONS_S)
        pipe.execute()

    def vouch(self, incarnation: Incarnation, until: float) -> None:
        """``incarnation`` counts as alive until ``until`` without beating: a worker in its
        warm shutdown stops beating but still finishes the tasks it runs."""
        self._redis.zadd(INCARNATIONS, {incarnation.member: until})

    def incarnations(self) -> list[Seen]:
        """Every incarnation noted in the last ``KEEP_INCARNATIONS_S`` (for the sweeper)."""
        seen = []
        pairs = cast(
            "list[tuple[bytes | str, float]]",
            self._redis.zrange(INCARNATIONS, 0, -1, withscores=True),
        )
        for member, at in pairs:
            text = member.decode() if isinstance(member, bytes) else str(member)
            incarnation = Incarnation.parse(text)
            if incarnation is not None:
                seen.append(Seen(incarnation, float(at)))
        return seen

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
