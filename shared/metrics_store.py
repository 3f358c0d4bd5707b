"""Figures for Prometheus, kept in Redis so that every process's count adds up.

The API runs several processes and the workers many more, on one box or many, so counters
kept in process memory would each show one process's share (prometheus-client's
multiprocess mode needs one shared directory, which a cluster has not). Every process adds
its observations here instead, with one pipelined round trip, and the API's `/metrics`
renders them at scrape time (`api/metrics.py`), with the queues' depths read from the
broker itself.
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Literal

import redis

from shared.redis_keys import key

# Seconds: from a hop on an idle stack (milliseconds) to a 10-minute transcription.
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
Phase = Literal["wait", "run"]

log = logging.getLogger("voicepipe.metrics")

_REJECTIONS = key("metrics", "rejections")
_SERIES = key("metrics", "stage-series")
# API processes whose storage breaker is open: member the process, score when it half-opens.
_OPEN_BREAKERS = key("metrics", "storage-breakers-open")


# Counters with labels: one hash per counter, a field per label set ("a|b|c").
COUNTERS = {
    "provider_errors": ("stage", "provider", "code"),
    "stage_retries": ("stage", "provider", "code"),
    "webhook_deliveries": ("outcome",),
    # Requests the API's storage breaker refused without asking the store (api.storage_guard).
    "storage_breaker_refusals": (),
}


def _field(labels: tuple[str, ...]) -> str:
    """A label set as one hash field or set member: "a|b|c", or a JSON list when a value
    holds the separator (a plugin's provider or error code may), which "|" would split."""
    if any("|" in value for value in labels) or (labels and labels[0].startswith("[")):
        return json.dumps(list(labels))
    return "|".join(labels)


def _labels(field: str) -> tuple[str, ...]:
    return tuple(json.loads(field)) if field.startswith("[") else tuple(field.split("|"))


def _counter_key(name: str) -> str:
    return key("metrics", "counter", name)


def _stage_key(stage: str, provider: str, phase: str) -> str:
    return key("metrics", "stage", stage, provider, phase)


@dataclass
class StageHistogram:
    stage: str
    provider: str
    phase: str
    # Observations per bucket (not cumulative), the last one past the largest bound.
    buckets: list[int]
    total_s: float = 0.0
    count: int = 0


class MetricsStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def count_rejection(self, code: str) -> None:
        self._redis.hincrby(_REJECTIONS, code, 1)

    def count(self, name: str, *labels: str) -> None:
        """One more of counter ``name`` (see COUNTERS) for these label values. Never
        raises: a figure is not worth failing the work it describes."""
        assert len(labels) == len(COUNTERS[name]), (name, labels)
        try:
            self._redis.hincrby(_counter_key(name), _field(labels), 1)
        except redis.RedisError:
            log.warning("counting %s failed", name, exc_info=True)

    def counter(self, name: str) -> dict[tuple[str, ...], int]:
        raw = self._redis.hgetall(_counter_key(name))
        if not COUNTERS[name]:
            return {(): sum(int(n) for n in raw.values())}
        return {_labels(_text(k)): int(n) for k, n in raw.items()}

    def note_breaker_open(self, process: str, until: float) -> None:
        """``process``'s storage breaker refuses requests until ``until`` (epoch seconds).
        Never raises, as ``count``."""
        try:
            self._redis.zadd(_OPEN_BREAKERS, {process: until})
        except redis.RedisError:
            log.warning("noting the storage breaker open failed", exc_info=True)

    def note_breaker_closed(self, process: str) -> None:
        try:
            self._redis.zrem(_OPEN_BREAKERS, process)
        except redis.RedisError:
            log.warning("noting the storage breaker closed failed", exc_info=True)

    def open_breakers(self, now: float) -> int:
        """API processes whose storage breaker is open at ``now``. A process that died
        with its breaker open drops out when its cool-down would have ended."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.zremrangebyscore(_OPEN_BREAKERS, "-inf", now)
        pipe.zcard(_OPEN_BREAKERS)
        return int(pipe.execute()[1])

    def add_stage_histograms(self, histograms: list[StageHistogram]) -> None:
        """Add observations summed elsewhere (see StageMetricsBuffer), in one round trip."""
        # One step (MULTI): a scrape between a series' buckets and its count showed a _count
        # below its +Inf bucket.
        pipe = self._redis.pipeline(transaction=True)
        for h in histograms:
            series = _stage_key(h.stage, h.provider, h.phase)
            pipe.sadd(_SERIES, _field((h.stage, h.provider, h.phase)))
            for index, count in enumerate(h.buckets):
                if count:
                    pipe.hincrby(series, f"b{index}", count)
            pipe.hincrbyfloat(series, "sum", h.total_s)
            pipe.hincrby(series, "count", h.count)
        pipe.execute()

    def rejections(self) -> dict[str, int]:
        raw = self._redis.hgetall(_REJECTIONS)
        return {_text(code): int(n) for code, n in raw.items()}

    def stage_histograms(self) -> list[StageHistogram]:
        names = sorted(_labels(_text(m)) for m in self._redis.smembers(_SERIES))
        pipe = self._redis.pipeline(transaction=False)
        for stage, provider, phase in names:
            pipe.hgetall(_stage_key(stage, provider, phase))
        histograms = []
        for (stage, provider, phase), raw in zip(names, pipe.execute(), strict=True):
            fields = {_text(k): v for k, v in raw.items()}
            histograms.append(
                StageHistogram(
                    stage=stage,
                    provider=provider,
                    phase=phase,
                    buckets=[int(fields.get(f"b{i}", 0)) for i in range(len(STAGE_BUCKETS) + 1)],
                    total_s=float(fields.get("sum", 0.0)),
                    count=int(fields.get("count", 0)),
                )
            )
        return histograms


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class StageMetricsBuffer:
    """A process's stage observations, summed in memory and added to Redis every
    ``interval_s`` by a daemon thread of this process.

    A round trip per stage run cost the I/O pools a tenth of their rate at 300 runs/s
    (`make bench ONLY=io`): a pool thread holds the GIL to build the commands. Summing is a
    dict update. A process killed outright loses at most its last interval of figures.
    """

    def __init__(self, client: redis.Redis, interval_s: float = 1.0) -> None:
        self._store = MetricsStore(client)
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str, str], StageHistogram] = {}
        self._flusher: threading.Thread | None = None

    def observe(self, stage: str, provider: str, seconds: dict[Phase, float]) -> None:
        with self._lock:
            for phase, value in seconds.items():
                h = self._pending.get((stage, provider, phase))
                if h is None:
                    h = StageHistogram(stage, provider, phase, [0] * (len(STAGE_BUCKETS) + 1))
                    self._pending[(stage, provider, phase)] = h
                h.buckets[bisect.bisect_left(STAGE_BUCKETS, value)] += 1
                h.total_s += max(0.0, value)
                h.count += 1
            if self._flusher is None:
                # Started by the first observation, so in the process that runs tasks (a
                # prefork child), never in a parent that forks.
                self._flusher = threading.Thread(
                    target=self._run, name="stage-metrics", daemon=True
                )
                self._flusher.start()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        if not pending:
            return
        try:
            self._store.add_stage_histograms(pending)
        except Exception:
            # A broker blip: these figures are lost, the next interval's are not.
            log.warning("adding %d stage figures to Redis failed", len(pending), exc_info=True)

    def _run(self) -> None:
        while True:
            time.sleep(self._interval_s)
            self.flush()
