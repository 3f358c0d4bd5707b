"""What a deleted job consumed, kept after the job is gone.

``DELETE /v1/jobs/{id}`` removes the record, and the usage ledger reads every figure from
records (shared.usage): without this, a tenant could erase what it was charged by deleting
its jobs, and an operator's monthly report would change after the month. So the delete
script writes, in the same step that removes the record, the job's metered quantities
alone: stage, provider, engine, model, meter and quantity per line, with the job's id, batch,
status and creation time. Nothing the recording said, nor its options, file name or
metadata, is kept. The quantities are priced when a report reads them, at the table's
current prices, as every job is; the engines and models are those the record named when it
was deleted.

The kept lines are written from the record as the delete found it: the script compares the
record's SHA-1 with the one the lines were read from, and the delete reads again if a
write came in between (a stage finishing, a retry), so what is kept is exactly what the
last version of the record would have been charged.

A stage run still at its vendor when the delete lands was billed all the same, and only
that run knows what for: finding its job gone, it adds what it was billed to the kept lines
(``KeptUsageStore.charge``), once, as it would have added it to the record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime

import redis
from pydantic import BaseModel

from shared.jobstore import KeptWrite
from shared.models import Billed, Job, JobResults, JobStatus, Stage, StageRecord, Usage, utcnow
from shared.redis_keys import key
from shared.settings import Settings
from shared.usage import SCALE, JobUsage, Meter, figures_of, job_usage, priced_line


class KeptLine(BaseModel):
    stage: Stage
    provider: str
    engine: str
    model: str | None
    meter: Meter
    quantity: int | float


class KeptUsage(BaseModel):
    job_id: str
    tenant: str
    batch_id: str | None
    status: JobStatus
    created_at: datetime
    deleted_at: datetime
    lines: list[KeptLine]


def _records_key(tenant: str) -> str:
    return key("usage-kept", tenant)


def _created_key(tenant: str) -> str:
    return key("usage-kept", tenant, "by-created")


def kept_usage(job: Job, settings: Settings) -> KeptUsage:
    return KeptUsage(
        job_id=job.id,
        tenant=job.tenant,
        batch_id=job.batch_id,
        status=job.status,
        created_at=job.created_at,
        deleted_at=utcnow(),
        lines=_lines_of(job_usage(job, settings)),
    )


def _lines_of(usage: JobUsage) -> list[KeptLine]:
    return [
        KeptLine(
            stage=line.stage,
            provider=line.provider,
            engine=line.engine,
            model=line.model,
            meter=line.meter,
            quantity=line.quantity,
        )
        for line in usage.lines
    ]


def billed_lines(
    job: Job, stage: Stage, billed: Sequence[Usage], settings: Settings
) -> list[KeptLine]:
    """The kept lines of what a run of ``job``'s ``stage`` was billed, read by the ledger
    as it reads ``StageRecord.billed`` on a record: the job as the run read it, with only
    that stage and only those charges (no stage succeeded in it, so nothing else counts)."""
    provider = job.stages[stage].provider if stage in job.stages else None
    record = StageRecord(provider=provider, billed=[Billed.of(spent) for spent in billed])
    alone = job.model_copy(update={"stages": {stage: record}, "results": JobResults()})
    return _lines_of(job_usage(alone, settings))


def _merged(lines: Iterable[KeptLine]) -> list[KeptLine]:
    """One line per stage, provider, engine, model and meter, summed exactly."""
    units: dict[tuple[Stage, str, str, str | None, Meter], int] = {}
    for line in lines:
        at = (line.stage, line.provider, line.engine, line.model, line.meter)
        units[at] = units.get(at, 0) + round(line.quantity * SCALE[line.meter])
    return [
        KeptLine(
            stage=stage,
            provider=provider,
            engine=engine,
            model=model,
            meter=meter,
            quantity=n if SCALE[meter] == 1 else n / SCALE[meter],
        )
        for (stage, provider, engine, model, meter), n in units.items()
    ]


def kept_write(job: Job, settings: Settings) -> KeptWrite:
    kept = kept_usage(job, settings)
    keys = (_records_key(job.tenant), _created_key(job.tenant))
    return KeptWrite(keys, kept.model_dump_json(), job.created_at.timestamp())


def priced(kept: KeptUsage, settings: Settings) -> JobUsage:
    """The kept job's ledger at today's prices, as ``job_usage`` gives a job's."""
    lines = [
        priced_line(settings, k.stage, k.provider, k.engine, k.model, k.meter, k.quantity)
        for k in kept.lines
    ]
    return JobUsage(
        **kept.model_dump(include={"job_id", "tenant", "batch_id", "status", "created_at"}),
        currency=settings.prices.currency,
        totals=figures_of(lines),
        lines=lines,
    )


class KeptUsageStore:
    """Reads of the kept usage of a tenant's deleted jobs (the delete script writes it), and
    the charges of a run that ended after its job was deleted."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def charge(self, job: Job, lines: Sequence[KeptLine]) -> None:
        """Adds ``lines`` to the kept usage of ``job``, deleted: the caller's run was billed
        them after the delete kept the rest. Where nothing was kept (a record removed
        without it) the job is kept with these lines alone, as canceled unless it had ended."""
        if not lines:
            return
        records = _records_key(job.tenant)

        def add(pipe: redis.client.Pipeline) -> None:
            raw = pipe.hget(records, job.id)
            if raw is not None:
                kept = KeptUsage.model_validate_json(raw)
            else:
                status = job.status if job.status.terminal else JobStatus.CANCELED
                kept = KeptUsage(
                    **job.model_dump(include={"tenant", "batch_id", "created_at"}),
                    job_id=job.id,
                    status=status,
                    deleted_at=utcnow(),
                    lines=[],
                )
            kept.lines = _merged([*kept.lines, *lines])
            pipe.multi()
            pipe.hset(records, job.id, kept.model_dump_json())
            pipe.zadd(_created_key(job.tenant), {job.id: job.created_at.timestamp()})

        # Read and written under WATCH: a second late run of the same job (another stage's)
        # adding at the same moment is not overwritten.
        self.redis.transaction(add, records)

    def created_between(self, tenant: str, start: float, end: float, limit: int) -> list[str]:
        """Ids of the tenant's deleted jobs created in [start, end), oldest first."""
        ids = self.redis.zrangebyscore(_created_key(tenant), start, f"({end!r}", 0, limit)
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    def count_between(self, tenant: str, start: float, end: float) -> int:
        return int(self.redis.zcount(_created_key(tenant), start, f"({end!r}"))

    def get_many(self, tenant: str, job_ids: Iterable[str]) -> list[KeptUsage]:
        """The kept usage of those of ``job_ids`` that were deleted (the others are left out)."""
        wanted = list(job_ids)
        if not wanted:
            return []
        raws = self.redis.hmget(_records_key(tenant), wanted)
        return [KeptUsage.model_validate_json(raw) for raw in raws if raw is not None]


def with_kept(
    read: Iterable[JobUsage],
    store: KeptUsageStore,
    tenant: str,
    kept_ids: Callable[[], list[str]],
    settings: Settings,
    counted: Callable[[JobUsage], None] | None = None,
) -> Iterator[JobUsage]:
    """The usages ``read`` from records, then those of ``kept_ids`` not read so: each job
    once. The kept ids are listed after the records were read, so a job deleted while the
    report runs is found either way: its record was read (and its kept usage is skipped), or
    it was gone and its kept usage, written in the delete's own step, is there."""
    seen: set[str] = set()
    for usage in read:
        seen.add(usage.job_id)
        yield usage
    for kept in store.get_many(tenant, (i for i in kept_ids() if i not in seen)):
        usage = priced(kept, settings)
        if counted is not None:
            counted(usage)
        yield usage
