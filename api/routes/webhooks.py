"""/v1/jobs/{id}/webhooks: the webhook events of a job and what each delivery attempt saw."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import Services, ServicesDep, TenantDep
from api.errors import error_responses
from shared.webhook_models import WebhookDelivery

router = APIRouter(prefix="/v1/jobs", tags=["webhooks"])


class DeliveryList(BaseModel):
    """Events oldest first, each with its attempts (time, status code, latency, error).
    Records hold no secret and no signature: those are made per attempt and not kept."""

    deliveries: list[WebhookDelivery]


def _job_deliveries(services: Services, job_id: str, tenant: str) -> DeliveryList:
    # The job lookup is the tenant check: another tenant's job answers 404 job_not_found.
    services.jobs.get(job_id, tenant)
    return DeliveryList(deliveries=services.deliveries.deliveries_of_job(job_id))


@router.get("/{job_id}/webhooks", response_model=DeliveryList, responses=error_responses(404, 422))
async def get_job_webhooks(job_id: str, services: ServicesDep, tenant: TenantDep) -> DeliveryList:
    return await run_in_threadpool(_job_deliveries, services, job_id, tenant)
