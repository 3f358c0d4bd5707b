"""/v1/batches/{id}/evaluation-set: a batch's reviewed voicemails as a set `make quality`
scores against (api.evaluation_set)."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, TenantDep
from api.errors import ApiError, error_responses
from api.evaluation_set import collect, zip_response
from shared.reviews import ReviewStore

router = APIRouter(prefix="/v1/batches", tags=["batches"])


@router.get(
    "/{batch_id}/evaluation-set",
    responses={
        200: {
            "description": "A zip: `voicemails.json` (the format of tests/quality), the "
            "recordings under `audio/`, and `export.json` listing reviewed jobs left out.",
            "content": {"application/zip": {}},
        },
        **error_responses(401, 404, 409, 422),
    },
    response_class=StreamingResponse,
)
async def evaluation_set(
    batch_id: str, services: ServicesDep, tenant: TenantDep
) -> StreamingResponse:
    """Every job of the batch that a person marked done and whose recording is kept, with
    the corrected transcript, callback number, caller, intent and urgency as the answers.
    Unzip it and run `make quality EVAL=<folder>`."""
    await run_in_threadpool(services.batches.get, batch_id, tenant)
    reviews = ReviewStore(services.jobs.redis)
    region = services.settings.local.default_region
    chosen = await run_in_threadpool(
        collect, services.batches, services.jobs, reviews, batch_id, region
    )
    if not chosen.entries:
        if chosen.excluded:
            # Marked done already: saying "mark them done" would send people round in a circle.
            reasons = Counter(item["reason"] for item in chosen.excluded)
            why = "; ".join(f"{count} {reason}" for reason, count in reasons.most_common())
            raise ApiError(
                409,
                "no_reviewed_recordings",
                f"Batch {batch_id} has no recording the evaluation set can hold: its "
                f"{len(chosen.excluded)} reviewed job(s) are left out ({why}).",
            )
        raise ApiError(
            409,
            "no_reviewed_recordings",
            f"Batch {batch_id} has no reviewed recording to export yet: mark its jobs done "
            "in the review inbox (or POST /v1/jobs/{id}/reviews with done true).",
        )
    return zip_response(chosen, services.storage, batch_id)
