"""A webhook event as it waits for delivery, and what each delivery attempt saw.

The record is made in the same atomic write as the change it reports (see
``shared.job_effects`` and ``shared.batch_lua``), and its body is rendered from the record
alone, so every attempt of one event sends the same bytes under the same ``webhook-id``.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.models import utcnow
from shared.redis_keys import key

DeliveryState = Literal["pending", "delivered", "failed", "disabled"]
DUE = key("webhooks", "due")


def delivery_key(delivery_id: str) -> str:
    return key("webhook", delivery_id)


def job_deliveries_key(job_id: str) -> str:
    return key("job", job_id, "webhooks")


def disabled_key(tenant: str) -> str:
    """Endpoints a receiver retired with 410 Gone: no more events go to them."""
    return key("webhooks", "disabled", tenant)


def wire_time(at: datetime) -> str:
    """``at`` as the API writes its times (``created_at`` and the rest), RFC 3339 in UTC
    ending in "Z": an event's times in the same form as the job its receiver fetches.
    Always with its microseconds (pydantic leaves out a fraction of 0), so that events
    sorted by their ``timestamp`` as text are in order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_delivery_id() -> str:
    return f"msg_{secrets.token_hex(12)}"


class DeliveryAttempt(BaseModel):
    at: datetime
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None


class WebhookDelivery(BaseModel):
    id: str
    tenant: str
    url: str
    type: str
    created_at: datetime = Field(default_factory=utcnow)
    data: dict[str, Any] = Field(default_factory=dict)
    state: DeliveryState = "pending"
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    next_attempt_at: datetime | None = None

    def as_sent(self, base_url: str) -> WebhookDelivery:
        """The record with its data as the receiver is sent it: links are kept relative in
        the record (the base URL may change before it is sent) and made absolute here."""
        data = dict(self.data)
        links = data.pop("links", {})
        data["links"] = {name: f"{base_url}{path}" for name, path in links.items()}
        return self.model_copy(update={"data": data})

    def body(self, base_url: str) -> bytes:
        """The signed payload: small (type, ids, status, links); the receiver fetches the rest."""
        data = self.as_sent(base_url).data
        payload = {"type": self.type, "timestamp": wire_time(self.created_at), "data": data}
        return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
