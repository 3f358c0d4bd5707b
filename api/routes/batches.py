"""/v1/batches: many recordings as one unit — submit, follow, page, cancel, retry, export."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api import batch_intake, batch_manifest, idempotency
from api.batch_exports import as_csv, as_jsonl, result_rows
from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.options import OptionFields
from api.query_params import KNOWN_QUERY
from api.routes.jobs import JobView, _view
from api.routes.webhooks import DeliveryList
from api.state_conflicts import (
    batch_canceled_not_retryable,
    batch_not_cancelable,
    batch_nothing_to_retry,
)
from shared.batches import BatchSource, BatchStatus, ItemRejection
from shared.batchstore import BatchState
from shared.keyset_paging import CURSOR_PATTERN, cursor_of, parse_cursor
from shared.logging import bind
from shared.models import RUNNING_STATUS, JobOptions, JobStatus
from shared.queues import INGEST, INGEST_TASKS
from shared.task_messages import task_message

router = APIRouter(prefix="/v1/batches", tags=["batches"])
log = logging.getLogger("voicepipe.api")

# "rejected" is no job's status: it lists the items refused at intake, which never became jobs.
JobStatusName = Literal[
    "queued",
    "transcribing",
    "responding",
    "synthesizing",
    "succeeded",
    "failed",
    "canceled",
    "rejected",
]


class BatchView(BaseModel):
    id: str
    status: BatchStatus
    source: BatchSource
    prefix: str | None
    options: JobOptions
    created_at: datetime
    finished_at: datetime | None
    items: int | None
    created: int
    rejected: int
    counts: dict[str, int]
    running_by_stage: dict[str, int]
    failed_by_code: dict[str, int]
    rejected_by_code: dict[str, int]
    progress: float | None
    rate_per_s: float | None
    eta_s: float | None
    links: dict[str, str]


class BatchJobs(BaseModel):
    jobs: list[JobView]
    # Filled for ?status=rejected only (and then ``jobs`` is empty).
    rejected: list[ItemRejection] = []
    next_cursor: int | None


class BatchList(BaseModel):
    batches: list[BatchView]
    next_cursor: str | None


def _stamp(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def batch_view(state: BatchState, base: str, now: float | None = None) -> BatchView:
    """Everything from the counters: no job is read, whatever the batch's size."""
    batch = state.batch
    now = time.time() if now is None else now
    counts = {status.value: state.count(f"status:{status.value}") for status in JobStatus}
    done, items = state.done, state.items
    # A completed batch with a retry under way keeps its stamp until the retry resumes a job.
    finished = state.times("completed_at") if state.status in {"completed", "canceled"} else None
    elapsed = (finished or now) - batch.created_at.timestamp()
    rate = done / elapsed if done and elapsed > 0 else None
    eta = None
    if items is not None and rate and finished is None:
        eta = round(max(items - done, 0) / rate, 1)
    link = f"{base}/v1/batches/{batch.id}"
    return BatchView(
        id=batch.id,
        status=state.status,
        source=batch.source,
        prefix=batch.prefix,
        options=batch.options,
        created_at=batch.created_at,
        finished_at=_stamp(finished),
        items=items,
        created=state.count("created"),
        rejected=state.count("rejected"),
        counts=counts,
        running_by_stage={stage.value: counts[s.value] for stage, s in RUNNING_STATUS.items()},
        failed_by_code=state.by_prefix("failed:"),
        rejected_by_code=state.by_prefix("rejected:"),
        progress=round(done / items, 4) if items else (1.0 if items == 0 else None),
        rate_per_s=round(rate, 3) if rate else None,
        eta_s=eta,
        links={
            "self": link,
            "jobs": f"{link}/jobs",
            "results_csv": f"{link}/results?format=csv",
            "results_jsonl": f"{link}/results?format=jsonl",
            "usage": f"{link}/usage",
        },
    )


_JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        **{name: {"type": "string"} for name in OptionFields.model_fields},
                    },
                    # Another field is a 400 naming it, unless empty (batch_intake._from_form).
                    "additionalProperties": {"type": "string", "maxLength": 0},
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": batch_manifest.BatchRequest.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                )
            },
        },
    }
}


@router.post(
    "",
    status_code=202,
    response_model=BatchView,
    responses={
        200: {"model": BatchView, "description": "An earlier batch, for a repeated key"},
        **error_responses(400, 401, 409, 413, 415, 422, 503),
    },
    openapi_extra=_JSON_BODY,
)
async def create_batch(
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Repeat a submission safely: the same key returns the same batch.",
        ),
    ] = None,
) -> BatchView:
    """Many `file` parts, a JSON manifest of `items` (URLs or object keys, each with its
    own `metadata`), or a JSON `prefix` of the import location. Options apply to every item;
    items are fetched and validated by the ingest workers, each failure recorded on its item."""
    idempotency_key = idempotency.key_of(idempotency_key)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        made = await batch_intake.from_multipart(request, services, tenant, idempotency_key)
    elif kind == "application/json":
        made = await batch_intake.from_json(request, services, tenant, idempotency_key)
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the batch as multipart/form-data (`file` parts) or as application/json "
            "(a manifest of `items`, or a `prefix`).",
        )
    batch_id, replayed = made
    bind(tenant=tenant, batch_id=batch_id)
    state = await run_in_threadpool(services.batches.get, batch_id)
    if not replayed:
        # How many and from where, never the items' names, URLs or the prefix.
        items = "items to list" if state.items is None else f"{state.items} items"
        log.info("batch %s created (%s, %s)", batch_id, state.batch.source, items)
    base = services.settings.api.base_url
    response.headers["Location"] = f"{base}/v1/batches/{batch_id}"
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return batch_view(state, base)


@router.get(
    "", response_model=BatchList, responses=error_responses(401, 422), dependencies=KNOWN_QUERY
)
async def list_batches(
    services: ServicesDep,
    tenant: TenantDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    # '<creation time>:<id>', as next_cursor gives it; a creation time alone (the cursor
    # before ids were added) still pages by time. Finite only: Redis refuses 'nan' as a
    # score (a 500 before), and no page starts at an infinite time.
    cursor: Annotated[
        str | None,
        Query(pattern=CURSOR_PATTERN, description="next_cursor of the previous page"),
    ] = None,
) -> BatchList:
    store = services.batches
    before, before_id = parse_cursor(cursor)

    def listed() -> tuple[list[BatchState], str | None]:
        ids, position = store.list_page(tenant, limit, before, before_id)
        return store.states(ids, tenant), cursor_of(position)

    # One thread-pool hop for the page. A batch discarded after it was listed is left out;
    # the cursor comes from the index, so paging goes on past it.
    states, next_cursor = await run_in_threadpool(listed)
    base = services.settings.api.base_url
    return BatchList(batches=[batch_view(s, base) for s in states], next_cursor=next_cursor)


@router.get("/{batch_id}", response_model=BatchView, responses=error_responses(401, 404, 422))
async def get_batch(batch_id: str, services: ServicesDep, tenant: TenantDep) -> BatchView:
    state = await run_in_threadpool(services.batches.get, batch_id, tenant)
    return batch_view(state, services.settings.api.base_url)


@router.get(
    "/{batch_id}/jobs",
    response_model=BatchJobs,
    responses=error_responses(401, 404, 422),
    dependencies=KNOWN_QUERY,
)
async def batch_jobs(
    batch_id: str,
    services: ServicesDep,
    tenant: TenantDep,
    status: JobStatusName | None = None,
    cursor: Annotated[int, Query(ge=-1, description="next_cursor of the previous page")] = -1,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> BatchJobs:
    """The batch's jobs in item order, optionally only those in one status; or, for
    `rejected`, its items refused at intake (index, source, code, message, metadata)."""
    store = services.batches
    await run_in_threadpool(store.get, batch_id, tenant)
    if status == "rejected":
        refused = await run_in_threadpool(store.rejections, batch_id, cursor, limit)
        last = refused[-1].index if len(refused) == limit else None
        return BatchJobs(jobs=[], rejected=refused, next_cursor=last)
    rows = await run_in_threadpool(store.page, batch_id, status, cursor, limit)
    jobs = await run_in_threadpool(services.jobs.get_many, [job_id for _, job_id in rows])
    base = services.settings.api.base_url
    views = [_view(job, base) for job in jobs if job is not None]
    return BatchJobs(jobs=views, next_cursor=rows[-1][0] if len(rows) == limit else None)


@router.post(
    "/{batch_id}/cancel",
    status_code=202,
    response_model=BatchView,
    responses=error_responses(401, 404, 409, 422, 503),
)
async def cancel_batch(batch_id: str, services: ServicesDep, tenant: TenantDep) -> BatchView:
    """Items not yet made into jobs are skipped and unfinished jobs canceled, by a worker."""
    bind(tenant=tenant, batch_id=batch_id)
    store = services.batches
    state = await run_in_threadpool(store.get, batch_id, tenant)
    if state.status in {"canceled", "completed"}:
        raise batch_not_cancelable(state)
    # Marked and its task queued in one step (see CANCEL): never canceled with no task.
    task = task_message(services.celery, INGEST_TASKS["cancel"], [batch_id], INGEST)
    if not await run_in_threadpool(store.mark_canceled, batch_id, task):
        # Its last job ended between the read above and the mark.
        raise batch_not_cancelable(await run_in_threadpool(store.get, batch_id))
    log.info("batch %s canceled: its unfinished jobs are to be canceled", batch_id)
    return batch_view(await run_in_threadpool(store.get, batch_id), services.settings.api.base_url)


@router.post(
    "/{batch_id}/retry",
    status_code=202,
    response_model=BatchView,
    responses=error_responses(401, 404, 409, 422, 503),
)
async def retry_batch(batch_id: str, services: ServicesDep, tenant: TenantDep) -> BatchView:
    """Run the failed jobs again, each from the stage that failed (rejected items are not
    jobs: submit them again in a new batch)."""
    bind(tenant=tenant, batch_id=batch_id)
    store = services.batches
    state = await run_in_threadpool(store.get, batch_id, tenant)
    # Accepted in the same step as the batch is read (a cancel sent right after is accepted
    # too, and cancels what the retry resumes), and its task queued in that step too: under
    # way until the task is through, so the task must never be missing.
    token = uuid.uuid4().hex
    task = task_message(services.celery, INGEST_TASKS["retry"], [batch_id, token], INGEST)
    opened = await run_in_threadpool(store.open_retry, batch_id, token, task)
    if opened == -1:
        raise batch_canceled_not_retryable(batch_id)
    if opened == 0:
        raise batch_nothing_to_retry(state)
    log.info("batch %s retried: its failed jobs are to be queued again", batch_id)
    return batch_view(await run_in_threadpool(store.get, batch_id), services.settings.api.base_url)


@router.get(
    "/{batch_id}/webhooks", response_model=DeliveryList, responses=error_responses(401, 404, 422)
)
async def batch_webhooks(batch_id: str, services: ServicesDep, tenant: TenantDep) -> DeliveryList:
    """The batch's own events (batch.completed) with every delivery attempt; its jobs'
    events are listed on each job."""
    store = services.batches
    await run_in_threadpool(store.get, batch_id, tenant)
    ids = await run_in_threadpool(store.delivery_ids, batch_id)
    records = await run_in_threadpool(services.deliveries.records, ids)
    base = services.settings.api.base_url
    return DeliveryList(deliveries=[d.as_sent(base) for d in records])


@router.get(
    "/{batch_id}/results",
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        **error_responses(401, 404, 422),
    },
)
async def batch_results(
    batch_id: str,
    services: ServicesDep,
    tenant: TenantDep,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "csv",
) -> StreamingResponse:
    """One row per item, in item order, streamed."""
    store = services.batches
    await run_in_threadpool(store.get, batch_id, tenant)
    settings = services.settings
    rows = result_rows(store, services.jobs, batch_id, settings.api.base_url, settings)
    if format == "csv":
        body, media = as_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media = as_jsonl(rows), "application/x-ndjson"
    name = f"{batch_id}-results.{format}"
    return StreamingResponse(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
