"""/v1/jobs/{id}/reviews and /v1/jobs/{id}/audio: people's corrections of a job, and the
recording they listen to while they make them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, TenantDep
from api.errors import error_responses
from api.field_problems import NOT_BLANK_PATTERN
from api.media_routes import RangeHeader, media_route, served
from api.reviewing import (
    MAX_CALLER_CHARS,
    MAX_NOTE_CHARS,
    MAX_NUMBER_CHARS,
    MAX_TRANSCRIPT_CHARS,
    submit_review,
)
from api.routes.jobs import _output, recorded
from api.security import api_key_scheme, bearer_scheme, hash_key, presented_keys
from shared.audio import UPLOAD_MEDIA_TYPES
from shared.reviews import Review, ReviewStore, intents, revision

router = APIRouter(prefix="/v1/jobs", tags=["reviews"])


def _known_intent(value: str) -> str:
    if value not in intents():
        raise ValueError(f"not one of {', '.join(intents())}")
    return value


Intent = Annotated[
    str,
    AfterValidator(_known_intent),
    WithJsonSchema({"type": "string", "enum": intents()}),
]


class ReviewChanges(BaseModel):
    """The fields a person corrects; those left out (or equal to the job's) stay as they
    are. An empty caller name or callback number clears it."""

    # Strict: JSON's own types only (0 is not false), as the document says.
    model_config = ConfigDict(extra="forbid", strict=True)

    transcript: str | None = Field(
        default=None, min_length=1, max_length=MAX_TRANSCRIPT_CHARS, pattern=NOT_BLANK_PATTERN
    )
    callback_number: str | None = Field(
        default=None,
        max_length=MAX_NUMBER_CHARS,
        description="A valid phone number; without a country code it is read in the "
        "deployment's region. Stored in E.164.",
    )
    caller_name: str | None = Field(default=None, max_length=MAX_CALLER_CHARS)
    intent: Intent | None = None
    urgency: Literal["low", "normal", "high"] | None = None


class ReviewRequest(BaseModel):
    # Strict: JSON's own types only (0 is not false), as the document says.
    model_config = ConfigDict(extra="forbid", strict=True)

    corrections: ReviewChanges = Field(default_factory=ReviewChanges)
    done: bool = Field(
        default=True,
        description="The job is dealt with (it leaves the inbox's to-review list); false "
        "saves the corrections and keeps it there.",
    )
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class ReviewList(BaseModel):
    """Oldest first; what the job says now is its output with each field's latest
    correction."""

    reviews: list[Review]


async def get_reviewer(
    services: ServicesDep,
    tenant: TenantDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    x_api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> str:
    """Who a JSON API review is by: the key's tenant and the start of the key's hash (which
    tells keys apart and reveals nothing), or "anonymous" where no key is needed."""
    keys = presented_keys(bearer.credentials if bearer else None, x_api_key)
    if not keys or services.settings.auth.open_access:
        return "anonymous"
    return f"{tenant} (API key {hash_key(keys[0])[:8]})"


@router.post(
    "/{job_id}/reviews",
    status_code=201,
    response_model=Review,
    responses={
        200: {"description": "Nothing new: the latest review already says so; it is returned."},
        **error_responses(400, 404, 409, 410, 412, 422),
    },
)
async def create_review(
    job_id: str,
    body: ReviewRequest,
    services: ServicesDep,
    tenant: TenantDep,
    reviewer: Annotated[str, Depends(get_reviewer)],
    response: Response,
    if_match: Annotated[
        str | None,
        Header(
            description="The `ETag` of `GET /v1/jobs/{id}/reviews`: store the review only "
            "if no other came in since (else `412`)."
        ),
    ] = None,
) -> Review:
    """Correct the job's transcript, callback number, caller, intent or urgency, and/or mark
    it done. Each correction records the value it replaced; the job's own results are kept
    as the pipeline made them. A job with a `callback_url` gets a `job.reviewed` event. A
    review that corrects nothing and says what the latest already says (done again) adds
    nothing: `200` with the latest."""
    changes = body.corrections.model_dump(exclude_none=True)
    submitted = await submit_review(
        services, tenant, job_id, changes, body.done, reviewer, body.note, if_match=if_match
    )
    response.headers["Location"] = f"{services.settings.api.base_url}/v1/jobs/{job_id}/reviews"
    response.headers["ETag"] = submitted.etag
    if not submitted.added:
        response.status_code = 200
    return submitted.review


@router.get("/{job_id}/reviews", response_model=ReviewList, responses=error_responses(404, 422))
async def list_reviews(
    job_id: str, services: ServicesDep, tenant: TenantDep, response: Response
) -> ReviewList:
    """The job's reviews; their `ETag` is the `If-Match` that makes a review conditional on
    no other coming in meanwhile."""
    await run_in_threadpool(services.jobs.get, job_id, tenant)
    store = ReviewStore(services.jobs.redis)
    reviews = await run_in_threadpool(store.for_job, tenant, job_id)
    response.headers["ETag"] = revision(reviews)
    return ReviewList(reviews=reviews)


@media_route(
    router,
    "/{job_id}/audio",
    "The recording as it was submitted, in its own format.",
    {media: {} for media in UPLOAD_MEDIA_TYPES},
    *(404, 410, 422),
)
async def get_recording(
    job_id: str,
    request: Request,
    services: ServicesDep,
    tenant: TenantDep,
    byte_range: RangeHeader = None,
) -> Response:
    job = recorded(await run_in_threadpool(services.jobs.get, job_id, tenant))
    data = await _output(services, job, job.input.key, "recording")
    extension = job.input.key.rsplit(".", 1)[-1]
    named = f'inline; filename="{job.id}.{extension}"'
    return served(request, data, job.input.media_type, byte_range, named)
