"""/v1/inbox: the tenant's jobs for review, newest first, filtered and paged (the review
pages show the same query)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.query_params import KNOWN_QUERY
from shared.inbox import CURSOR_PATTERN, BadCursor, InboxFilter, InboxPage, query_inbox

router = APIRouter(prefix="/v1/inbox", tags=["reviews"])

JobStatusName = Literal[
    "queued", "transcribing", "responding", "synthesizing", "succeeded", "failed", "canceled"
]


@router.get(
    "",
    response_model=InboxPage,
    responses=error_responses(400, 404, 422),
    dependencies=KNOWN_QUERY,
)
async def inbox(
    services: ServicesDep,
    tenant: TenantDep,
    intent: Annotated[str | None, Query(max_length=64, description="As corrected.")] = None,
    urgency: Annotated[Literal["low", "normal", "high"] | None, Query()] = None,
    needs_review: Annotated[bool | None, Query(description="As the pipeline judged.")] = None,
    status: Annotated[JobStatusName | None, Query()] = None,
    batch_id: Annotated[str | None, Query(max_length=64)] = None,
    text: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Case-insensitive; in the transcript, caller, callback number or "
            "summary, as made or as corrected. A number may be typed with spaces or dashes.",
        ),
    ] = None,
    reviewed: Annotated[bool | None, Query(description="Marked done by a person.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None,
        Query(pattern=CURSOR_PATTERN, description="next_cursor or prev_cursor of a page"),
    ] = None,
) -> InboxPage:
    """Each row has the job's triage with any corrections applied, and `reviewed`; `total`
    counts every job that matches the filter, `offset` those before the page's first row. A
    `batch_id` that names none of the tenant's batches is `404 batch_not_found`."""
    flt = InboxFilter(
        intent=intent or None,
        urgency=urgency,
        needs_review=needs_review,
        status=status,
        batch_id=batch_id or None,
        text=text or None,
        reviewed=reviewed,
    )

    def page() -> InboxPage:
        # A mistyped batch id (or another tenant's, answered the same) would list nothing,
        # which reads as a batch without voicemails.
        if flt.batch_id is not None:
            services.batches.get(flt.batch_id, tenant)
        return query_inbox(services.jobs.redis, tenant, flt, limit=limit, cursor=cursor)

    try:
        return await run_in_threadpool(page)
    except BadCursor as exc:
        raise ApiError(400, "invalid_cursor", str(exc)) from None
