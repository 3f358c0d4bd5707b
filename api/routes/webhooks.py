"""/v1/jobs/{id}/webhooks: the webhook events of a job and what each delivery attempt saw;
/v1/webhooks/disabled: the endpoints a receiver retired with 410 Gone, and turning one back on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, TenantDep
from api.errors import error_responses
from shared.webhook_models import WebhookDelivery

router = APIRouter(prefix="/v1/jobs", tags=["webhooks"])
endpoints = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class DeliveryList(BaseModel):
    """Events oldest first, each with its attempts (time, status code, latency, error).
    Records hold no secret and no signature: those are made per attempt and not kept."""

    deliveries: list[WebhookDelivery]


def _job_deliveries(services: Services, job_id: str, tenant: str) -> DeliveryList:
    # The job lookup is the tenant check: another tenant's job answers 404 job_not_found.
    services.jobs.get(job_id, tenant)
    base = services.settings.api.base_url
    return DeliveryList(
        deliveries=[d.as_sent(base) for d in services.deliveries.deliveries_of_job(job_id)]
    )


@router.get("/{job_id}/webhooks", response_model=DeliveryList, responses=error_responses(404, 422))
async def get_job_webhooks(job_id: str, services: ServicesDep, tenant: TenantDep) -> DeliveryList:
    return await run_in_threadpool(_job_deliveries, services, job_id, tenant)


class DisabledEndpoints(BaseModel):
    """Callback URLs that answered an event 410 Gone: no event is sent to them, and a job
    naming one is refused (400 callback_url_disabled), until it is turned back on."""

    urls: list[str]


@endpoints.get("/disabled", response_model=DisabledEndpoints, responses=error_responses(401))
async def list_disabled(services: ServicesDep, tenant: TenantDep) -> DisabledEndpoints:
    urls = await run_in_threadpool(services.deliveries.disabled_endpoints, tenant)
    return DisabledEndpoints(urls=urls)


@endpoints.delete(
    "/disabled",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 422),
)
async def enable_endpoint(
    services: ServicesDep,
    tenant: TenantDep,
    url: Annotated[str, Query(min_length=1, max_length=2048, description="The URL to enable.")],
) -> Response:
    """The endpoint receives this tenant's events again, from the next event on (those not
    sent while it was off are not sent now). Repeatable: a URL not disabled is left as is."""
    await run_in_threadpool(services.deliveries.enable_endpoint, tenant, url)
    return Response(status_code=204)
