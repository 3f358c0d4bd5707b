"""/inbox: the tenant's voicemails as rows to scan, filtered and paged; /inbox/batches."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import Services
from api.routes.batches import batch_view
from api.web.access import VisitorDep, services_of
from api.web.inbox_view import parse_query
from api.web.pages import render
from shared.batchstore import BatchNotFound, BatchState
from shared.inbox import BadCursor, query_inbox
from shared.models import JobStatus
from shared.reviews import intents

router = APIRouter(prefix="/inbox")
URGENCIES = ("low", "normal", "high")
BATCHES_SHOWN = 50


@router.get("")
async def inbox(request: Request, visitor: VisitorDep) -> Response:
    services = services_of(request)
    known = tuple(intents())
    query = parse_query(request.query_params, known)
    limit = services.settings.web.page_size
    flt = query.to_filter()
    try:
        page = await run_in_threadpool(
            query_inbox, services.jobs.redis, visitor.tenant, flt, limit=limit, cursor=query.cursor
        )
    except BadCursor:
        # An edited or stale link: the first page rather than an error.
        page = await run_in_threadpool(
            query_inbox, services.jobs.redis, visitor.tenant, flt, limit=limit
        )
    return await render(
        request,
        "inbox.html",
        visitor.session,
        page=page,
        batch_known=await _batch_known(services, visitor.tenant, query.values.get("batch")),
        query=query,
        intents=known,
        urgencies=URGENCIES,
        statuses=[s.value for s in JobStatus],
    )


async def _batch_known(services: Services, tenant: str, batch_id: str | None) -> bool:
    """Whether the batch filter names one of the tenant's batches: a mistyped id (or
    another tenant's) would list nothing, which reads as a batch with no voicemails."""
    if not batch_id:
        return True
    try:
        await run_in_threadpool(services.batches.get, batch_id, tenant)
    except BatchNotFound:
        return False
    return True


@router.get("/batches")
async def batches(request: Request, visitor: VisitorDep) -> Response:
    services = services_of(request)
    store = services.batches

    def listed() -> list[BatchState]:
        return store.states(store.list_ids(visitor.tenant, BATCHES_SHOWN), visitor.tenant)

    states = await run_in_threadpool(listed)
    base = services.settings.api.base_url
    views = [batch_view(state, base) for state in states]
    return await render(request, "batches.html", visitor.session, batches=views)
