"""Standard Webhooks signatures: the headers that let a receiver trust an event.

Signed with the specification's reference implementation (PyPI ``standardwebhooks``) rather
than by hand, so what we send is exactly what receivers' verifiers expect.
"""

from __future__ import annotations

import base64
import secrets as random
from datetime import UTC, datetime

from standardwebhooks import Webhook


def signature_headers(
    delivery_id: str, timestamp: int, body: bytes, secrets: list[str]
) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``.

    One ``v1,<sig>`` per secret: during a rotation a receiver that knows either the old or
    the new secret accepts the event.
    """
    if not secrets:
        raise ValueError("signing needs at least one secret")
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    text = body.decode()
    signatures = " ".join(Webhook(secret).sign(delivery_id, when, text) for secret in secrets)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` + base64 of 32 random bytes (the spec asks 24-64)."""
    return "whsec_" + base64.b64encode(random.token_bytes(32)).decode()
