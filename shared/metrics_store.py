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
from dataclasses import dataclass
from typing import Literal

import redis

from shared.redis_keys import key

# Seconds: from a hop on an idle stack (milliseconds) to a 10-minute transcription.
STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
Phase = Literal["wait", "run"]

_REJECTIONS = key("metrics", "rejections")
_SERIES = key("metrics", "stage-series")


def _stage_key(stage: str, provider: str, phase: str) -> str:
    return key("metrics", "stage", stage, provider, phase)


@dataclass(frozen=True)
class StageHistogram:
    stage: str
    provider: str
    phase: str
    # Observations per bucket (not cumulative), the last one past the largest bound.
    buckets: list[int]
    total_s: float
    count: int


class MetricsStore:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def count_rejection(self, code: str) -> None:
        self._redis.hincrby(_REJECTIONS, code, 1)

    def observe_stage(self, stage: str, provider: str, seconds: dict[Phase, float]) -> None:
        """One stage run: how long it waited in its queue and how long it ran."""
        pipe = self._redis.pipeline(transaction=False)
        for phase, value in seconds.items():
            series = _stage_key(stage, provider, phase)
            pipe.sadd(_SERIES, f"{stage}|{provider}|{phase}")
            pipe.hincrby(series, f"b{bisect.bisect_left(STAGE_BUCKETS, value)}", 1)
            pipe.hincrbyfloat(series, "sum", max(0.0, value))
            pipe.hincrby(series, "count", 1)
        pipe.execute()

    def rejections(self) -> dict[str, int]:
        raw = self._redis.hgetall(_REJECTIONS)
        return {_text(code): int(n) for code, n in raw.items()}

    def stage_histograms(self) -> list[StageHistogram]:
        names = sorted(_text(m) for m in self._redis.smembers(_SERIES))
        pipe = self._redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(_stage_key(*name.split("|")))
        histograms = []
        for name, raw in zip(names, pipe.execute(), strict=True):
            fields = {_text(k): v for k, v in raw.items()}
            stage, provider, phase = name.split("|")
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
