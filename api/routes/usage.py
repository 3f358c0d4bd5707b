"""/v1/usage: what a tenant's jobs consumed and cost, and how long their stages took.

Every figure is summed from the job records by the usage ledger (shared.usage,
shared.usage_report), priced with the table in the settings (``prices``) as it is now.
A job belongs to the window, and the day, it was created in (UTC): the tenant's job index
is ordered by creation, so a window is one range read of it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, BeforeValidator
from starlette.concurrency import run_in_threadpool

from api.batch_exports import as_csv
from api.deps import Services, ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.query_params import KNOWN_QUERY
from shared.kept_usage import KeptUsageStore, with_kept
from shared.models import utcnow
from shared.usage import JobUsage, UsageFigures, job_usage
from shared.usage_report import (
    LATENCY_COLUMNS,
    ROW_COLUMNS,
    GroupBy,
    LatencyRow,
    UsageRow,
    UsageSummary,
    jobs_of,
    latency,
    summarise,
)

router = APIRouter(tags=["usage"])


class UsageReport(BaseModel):
    tenant: str
    start: datetime
    end: datetime
    group_by: GroupBy
    currency: str
    prices_read_on: date
    totals: UsageFigures
    # Of totals.jobs, how many were deleted since (DELETE /v1/jobs/{id}): what they
    # consumed is kept and counted (shared.kept_usage).
    deleted_jobs: int
    rows: list[UsageRow]


class LatencyReport(BaseModel):
    tenant: str
    start: datetime
    end: datetime
    jobs: int
    rows: list[LatencyRow]


class BatchUsage(BaseModel):
    batch_id: str
    currency: str
    prices_read_on: date
    # Exactly the sum of its jobs' figures (each job's as GET /v1/jobs/{id}/usage and the
    # results export give it); items that never became jobs have none.
    totals: UsageFigures
    by_provider: list[UsageRow]


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    # Pydantic would also read a bare number as seconds since 1970, which the document
    # (a date-time or a date) does not offer and nobody means.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("give a date (2026-11-01) or a date and time (2026-11-01T09:00:00Z)")
    return value


Moment = datetime | date
From = Annotated[
    Moment | None,
    BeforeValidator(_iso_only),
    Query(alias="from", description="Start of the window (jobs created from then), UTC."),
]
To = Annotated[
    Moment | None,
    BeforeValidator(_iso_only),
    Query(alias="to", description="End of the window (exclusive), UTC; now by default."),
]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(description="csv, or send `Accept: text/csv`; JSON by default."),
]
_TABLE = {
    200: {
        "description": "The report, as JSON or as CSV (a row per group, with a header).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **error_responses(401, 422),
}


def _utc(moment: Moment) -> datetime:
    # A day is its midnight; a time without an offset is taken as UTC, the zone every
    # report is in.
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _window(
    services: Services, start: Moment | None, end: Moment | None
) -> tuple[datetime, datetime]:
    limits = services.settings.usage
    try:
        until = _utc(end) if end is not None else utcnow()
        since = _utc(start) if start is not None else until - timedelta(limits.default_window_days)
    except OverflowError:
        raise ApiError(
            422, "invalid_range", "`from` and `to` must fall between the years 1 and 9999 (UTC)."
        ) from None
    if since >= until:
        raise ApiError(
            422,
            "invalid_range",
            f"`from` ({since.isoformat()}) must be before `to` ({until.isoformat()}).",
        )
    if until - since > timedelta(days=limits.max_window_days):
        raise ApiError(
            422,
            "window_too_long",
            f"The window covers more than {limits.max_window_days} days ({until - since}); "
            f"one request covers at most {limits.max_window_days}. Ask for shorter windows "
            "(a month at a time) and add them up.",
        )
    return since, until


def _window_ids(
    services: Services, tenant: str, since: datetime, until: datetime, deleted: bool = False
) -> list[str]:
    """The window's job ids; with ``deleted``, the jobs deleted since count to the cap too."""
    cap = services.settings.usage.max_jobs
    start, end = since.timestamp(), until.timestamp()
    ids = services.jobs.ids_created_between(tenant, start, end, cap + 1)
    gone = KeptUsageStore(services.jobs.redis).count_between(tenant, start, end) if deleted else 0
    if len(ids) + gone > cap:
        raise ApiError(
            422,
            "too_many_jobs",
            f"The window holds more than {cap:,} jobs, the most one report reads; ask for a "
            "shorter window and add the reports up.",
        )
    return ids


def _wants_csv(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...], name: str) -> StreamingResponse:
    return StreamingResponse(
        as_csv(iter(rows), columns),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/v1/usage", response_model=UsageReport, responses=_TABLE, dependencies=KNOWN_QUERY)
async def usage_report(
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    start: From = None,
    end: To = None,
    group_by: Annotated[
        GroupBy, Query(description="day: a row per UTC day; provider: per stage, engine, model.")
    ] = "day",
    format: Format = None,
) -> Response | UsageReport:
    """Audio seconds, tokens in and out, characters synthesised, CPU seconds and their cost
    for the tenant's jobs created in the window (30 days to now by default)."""
    since, until = _window(services, start, end)

    settings = services.settings

    def report() -> tuple[UsageSummary, int]:
        ids = _window_ids(services, tenant, since, until, deleted=True)
        jobs = (job for job in jobs_of(services.jobs, ids) if job.tenant == tenant)
        kept, deleted = KeptUsageStore(services.jobs.redis), list[JobUsage]()
        usages = with_kept(
            (job_usage(job, settings) for job in jobs),
            kept,
            tenant,
            lambda: kept.created_between(
                tenant, since.timestamp(), until.timestamp(), settings.usage.max_jobs
            ),
            settings,
            counted=deleted.append,
        )
        return summarise(usages, group_by), len(deleted)

    summary, deleted_jobs = await run_in_threadpool(report)
    if _wants_csv(request, format):
        rows = [row.model_dump() for row in summary.rows]
        return _csv(rows, ROW_COLUMNS, f"usage-{group_by}-{since:%Y%m%d}-{until:%Y%m%d}")
    prices = services.settings.prices
    return UsageReport(
        tenant=tenant,
        start=since,
        end=until,
        group_by=group_by,
        currency=prices.currency,
        prices_read_on=prices.read_on,
        totals=summary.totals,
        deleted_jobs=deleted_jobs,
        rows=summary.rows,
    )


@router.get(
    "/v1/usage/latency", response_model=LatencyReport, responses=_TABLE, dependencies=KNOWN_QUERY
)
async def latency_report(
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    start: From = None,
    end: To = None,
    format: Format = None,
) -> Response | LatencyReport:
    """Percentiles (p50, p90, p95, p99) of each stage's run and queue wait, per provider,
    over the succeeded stages of the tenant's jobs created in the window."""
    since, until = _window(services, start, end)

    def report() -> tuple[int, list[LatencyRow]]:
        ids = _window_ids(services, tenant, since, until)
        return latency(job for job in jobs_of(services.jobs, ids) if job.tenant == tenant)

    jobs, rows = await run_in_threadpool(report)
    if _wants_csv(request, format):
        table = [row.model_dump() for row in rows]
        return _csv(table, LATENCY_COLUMNS, f"latency-{since:%Y%m%d}-{until:%Y%m%d}")
    return LatencyReport(tenant=tenant, start=since, end=until, jobs=jobs, rows=rows)


@router.get(
    "/v1/jobs/{job_id}/usage", response_model=JobUsage, responses=error_responses(401, 404, 422)
)
async def get_job_usage(job_id: str, services: ServicesDep, tenant: TenantDep) -> JobUsage:
    """The job's ledger: a line per engine and meter, its unit price and cost, and totals."""
    job = await run_in_threadpool(services.jobs.get, job_id, tenant)
    return job_usage(job, services.settings)


@router.get(
    "/v1/batches/{batch_id}/usage",
    response_model=BatchUsage,
    responses=error_responses(401, 404, 422),
)
async def get_batch_usage(batch_id: str, services: ServicesDep, tenant: TenantDep) -> BatchUsage:
    """The batch's total (its jobs' figures added up) and its split by stage, engine, model."""
    store = services.batches
    await run_in_threadpool(store.get, batch_id, tenant)

    def report() -> UsageSummary:
        ids = [entry for _, entry in store.rows(batch_id) if isinstance(entry, str)]
        read = (job_usage(job, services.settings) for job in jobs_of(services.jobs, ids))
        # Its deleted jobs' kept usage too: the batch's total does not drop when one goes.
        kept = KeptUsageStore(services.jobs.redis)
        usages = with_kept(read, kept, tenant, lambda: ids, services.settings)
        return summarise(usages, "provider")

    summary = await run_in_threadpool(report)
    prices = services.settings.prices
    return BatchUsage(
        batch_id=batch_id,
        currency=prices.currency,
        prices_read_on=prices.read_on,
        totals=summary.totals,
        by_provider=summary.rows,
    )
