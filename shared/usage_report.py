"""Reports summed from the usage ledger: a tenant's window by day or by provider, a batch's
total, and the stages' latency percentiles per provider, all from the same job records.

Every report reads each job of its scope once (ids listed in one read, records fetched a
page at a time) and adds the job's figures with an exact tally (shared.usage.Tally): a
batch's total is exactly the sum of its jobs' figures, in any order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Literal

from pydantic import BaseModel

from shared.jobstore import JobStore
from shared.models import STAGE_ORDER, Job, Stage, StageStatus
from shared.usage import JobUsage, Tally, UsageFigures, UsageLine, figures_of

GroupBy = Literal["day", "provider"]
Phase = Literal["run", "wait"]
# Records fetched at once: what a report holds in memory beside its sums (~1 MB).
PAGE = 200
PERCENTILES = (0.5, 0.9, 0.95, 0.99)


class UsageRow(UsageFigures):
    # day for group_by=day; stage, engine and model for group_by=provider.
    day: date | None = None
    stage: str | None = None
    engine: str | None = None
    model: str | None = None


ROW_COLUMNS = ("day", "stage", "engine", "model", *UsageFigures.model_fields)


class UsageSummary(BaseModel):
    totals: UsageFigures
    rows: list[UsageRow]


class LatencyRow(BaseModel):
    stage: str
    provider: str
    # run: the stage's run (its record's duration); wait: its first attempt's time in the
    # queue after the stage before it (or the job's creation) finished.
    phase: Phase
    count: int
    mean_s: float
    p50_s: float
    p90_s: float
    p95_s: float
    p99_s: float
    max_s: float


LATENCY_COLUMNS = tuple(LatencyRow.model_fields)


def jobs_of(store: JobStore, ids: Iterable[str]) -> Iterator[Job]:
    """The records of ``ids``, a page at a time; a job deleted meanwhile is left out."""
    page: list[str] = []
    for job_id in ids:
        page.append(job_id)
        if len(page) >= PAGE:
            yield from (job for job in store.get_many(page) if job is not None)
            page = []
    yield from (job for job in store.get_many(page) if job is not None)


def summarise(usages: Iterable[JobUsage], group_by: GroupBy) -> UsageSummary:
    total = Tally()
    groups: dict[tuple[object, ...], Tally] = defaultdict(Tally)
    for usage in usages:
        total.add(usage.totals)
        if group_by == "day":
            groups[(usage.created_at.date(),)].add(usage.totals)
            continue
        by_engine: dict[tuple[object, ...], list[UsageLine]] = defaultdict(list)
        for line in usage.lines:
            by_engine[(line.stage.value, line.engine, line.model)].append(line)
        for key, lines in by_engine.items():
            groups[key].add(figures_of(lines))
    rows = [_row(group_by, key, tally.figures()) for key, tally in groups.items()]
    rows.sort(key=_order)
    return UsageSummary(totals=total.figures(), rows=rows)


def _row(group_by: GroupBy, key: tuple[object, ...], figures: UsageFigures) -> UsageRow:
    if group_by == "day":
        return UsageRow(day=key[0], **figures.model_dump())
    stage, engine, model = key
    return UsageRow(stage=stage, engine=engine, model=model, **figures.model_dump())


def _order(row: UsageRow) -> tuple[object, ...]:
    rank = [s.value for s in STAGE_ORDER]
    stage = rank.index(row.stage) if row.stage in rank else len(rank)
    return (row.day or date.min, stage, row.engine or "", row.model or "")


def latency(jobs: Iterable[Job]) -> tuple[int, list[LatencyRow]]:
    """How many jobs were read, and the percentiles of each stage's run and queue wait per
    provider over them."""
    seconds: dict[tuple[str, str, Phase], list[float]] = defaultdict(list)
    count = 0
    for job in jobs:
        count += 1
        for stage in [s for s in STAGE_ORDER if s in job.options.stages]:
            record = job.stages.get(stage)
            if record is None or record.status != StageStatus.SUCCEEDED:
                break
            provider = record.provider or "unknown"
            if record.duration_s is not None:
                seconds[(stage.value, provider, "run")].append(record.duration_s)
            wait = queue_wait_s(job, stage)
            if wait is not None:
                seconds[(stage.value, provider, "wait")].append(max(wait, 0.0))
    rows = [_latency_row(key, values) for key, values in seconds.items()]
    rank = [s.value for s in STAGE_ORDER]
    rows.sort(key=lambda r: (rank.index(r.stage), r.provider, r.phase))
    return count, rows


def queue_wait_s(job: Job, stage: Stage) -> float | None:
    """How long the stage's first run waited in its queue: from the end of the stage before
    it (or the job's creation) to its start; None when it has not started or ran more than
    once (a retry's wait is its back-off). The reports and /metrics (workers.stage) use it."""
    record = job.stages[stage]
    if record.attempts != 1 or record.started_at is None:
        return None
    order = STAGE_ORDER.index(stage)
    earlier = [s for s in STAGE_ORDER[:order] if s in job.options.stages]
    # A stage a retry queued again (one that never started before its job was canceled)
    # waited from the retry: the time its job lay canceled is no queue's.
    queued = record.resumed_at or (
        job.stages[earlier[-1]].finished_at if earlier else job.created_at
    )
    return None if queued is None else (record.started_at - queued).total_seconds()


def _latency_row(key: tuple[str, str, Phase], values: list[float]) -> LatencyRow:
    stage, provider, phase = key
    ordered = sorted(values)
    p50, p90, p95, p99 = (round(percentile(ordered, q), 4) for q in PERCENTILES)
    return LatencyRow(
        stage=stage,
        provider=provider,
        phase=phase,
        count=len(ordered),
        mean_s=round(math.fsum(ordered) / len(ordered), 4),
        p50_s=p50,
        p90_s=p90,
        p95_s=p95,
        p99_s=p99,
        max_s=round(ordered[-1], 4),
    )


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between the two nearest ranks (numpy's default), so that a
    handful of runs gives a figure between what was seen, not a jump to the slowest."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
