"""/inbox/batches/{id}: a batch's report with its charts; its results (CSV) and evaluation set."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.batch_exports import as_csv, result_rows
from api.evaluation_set import collect, zip_response
from api.web.access import PageError, Visitor, VisitorDep, services_of
from api.web.pages import render
from api.web.report import batch_report
from shared.batchstore import BatchNotFound
from shared.reviews import ReviewStore

router = APIRouter(prefix="/inbox")


def _not_found(batch_id: str) -> PageError:
    return PageError(404, "No such batch", f"There is no batch {batch_id} in this inbox.")


async def _check(request: Request, visitor: Visitor, batch_id: str) -> None:
    try:
        await run_in_threadpool(services_of(request).batches.get, batch_id, visitor.tenant)
    except BatchNotFound:
        raise _not_found(batch_id) from None


@router.get("/batches/{batch_id}")
async def report(batch_id: str, request: Request, visitor: VisitorDep) -> Response:
    services = services_of(request)
    try:
        found = await run_in_threadpool(batch_report, services, visitor.tenant, batch_id)
    except BatchNotFound:
        raise _not_found(batch_id) from None
    return await render(request, "batch.html", visitor.session, report=found)


@router.get("/batches/{batch_id}/report.csv")
async def report_csv(batch_id: str, request: Request, visitor: VisitorDep) -> Response:
    """The batch's results, one row per item: the JSON API's export, signed in by session."""
    await _check(request, visitor, batch_id)
    services = services_of(request)
    settings = services.settings
    rows = result_rows(services.batches, services.jobs, batch_id, settings.api.base_url, settings)
    return StreamingResponse(
        as_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{batch_id}-report.csv"'},
    )


@router.get("/batches/{batch_id}/evaluation-set.zip")
async def evaluation_set(batch_id: str, request: Request, visitor: VisitorDep) -> Response:
    """The reviewed recordings with people's answers, as ``make quality EVAL=`` reads them
    (the JSON API's ``/v1/batches/{id}/evaluation-set``)."""
    await _check(request, visitor, batch_id)
    services = services_of(request)
    chosen = await run_in_threadpool(
        collect,
        services.batches,
        services.jobs,
        ReviewStore(services.jobs.redis),
        batch_id,
        services.settings.local.default_region,
    )
    if not chosen.entries:
        raise PageError(
            409,
            "Nothing to export yet",
            f"Batch {batch_id} has no reviewed recording yet: open its voicemails, correct "
            "what needs it and mark them done; they then make the evaluation set.",
        )
    return zip_response(chosen, services.storage, batch_id)
