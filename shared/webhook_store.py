"""The Redis side of webhook deliveries: records, the due index, leases, locks, retired URLs.

Events are created elsewhere (the job store's and batch scripts' atomic writes put a record
at ``delivery_key(id)`` and its id in ``DUE``); this module hands due events out and keeps
their records as deliveries go on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import redis

from shared.webhook_models import (
    DUE,
    WebhookDelivery,
    delivery_key,
    disabled_key,
    job_deliveries_key,
)

# Several relays may poll at once: reading the due ids and pushing them past the lease must
# be one step, or two relays would both hand out the same event. An id whose delivery dies
# with its worker simply comes due again when the lease runs out.
# KEYS: due index. ARGV: now, lease end, limit.
_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id)
end
return ids
"""
# Only the holder may release: a lock that expired and was taken by another delivery must
# not be deleted by the first one finishing late.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _lock_key(delivery_id: str) -> str:
    return f"{delivery_key(delivery_id)}:lock"


def deliveries(client: redis.Redis, ids: list[str]) -> list[WebhookDelivery]:
    """The records of ``ids`` in that order, in one round trip; ids whose record is gone are
    left out (for the API: a job's or a batch's deliveries)."""
    if not ids:
        return []
    raws = client.mget([delivery_key(i) for i in ids])
    return [WebhookDelivery.model_validate_json(raw) for raw in raws if raw is not None]


class WebhookStore:
    def __init__(self, client: redis.Redis, keep_s: int | None = None) -> None:
        self.redis = client
        # How long a delivered, failed or disabled event's record is kept for the API; None
        # keeps it. Without an end, every event ever sent would stay in Redis.
        self.keep_s = keep_s
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)

    def load(self, delivery_id: str) -> WebhookDelivery | None:
        raw = self.redis.get(delivery_key(delivery_id))
        return None if raw is None else WebhookDelivery.model_validate_json(raw)

    def save(self, delivery: WebhookDelivery) -> None:
        self.redis.set(delivery_key(delivery.id), delivery.model_dump_json())

    def claim_due(self, now: float, lease_s: float, limit: int = 100) -> list[str]:
        """Ids due at ``now``, each made due again only at ``now + lease_s``: a caller gets
        an id once per lease, whichever other relays poll at the same time."""
        ids = self._claim(keys=[DUE], args=[repr(now), repr(now + lease_s), limit])
        return [_text(i) for i in ids]

    @contextmanager
    def locked(self, delivery_id: str, ttl_s: float) -> Iterator[bool]:
        """Hold the delivery's lock (SET NX PX) for the block; yields False when another
        delivery of the same id holds it. The TTL frees the lock of a worker that died."""
        key = _lock_key(delivery_id)
        token = secrets.token_hex(8)
        held = bool(self.redis.set(key, token, nx=True, px=max(1, int(ttl_s * 1000))))
        try:
            yield held
        finally:
            if held:
                self._release(keys=[key], args=[token])

    def finish(self, delivery: WebhookDelivery) -> None:
        """Store a delivery that has reached its end state and take it off the due index."""
        delivery.next_attempt_at = None
        self._store_attempt(delivery, None)

    def reschedule(self, delivery: WebhookDelivery, at: float) -> None:
        """Store a delivery to be attempted again at Unix time ``at``."""
        delivery.next_attempt_at = datetime.fromtimestamp(at, tz=UTC)
        self._store_attempt(delivery, at)

    def _store_attempt(self, delivery: WebhookDelivery, due: float | None) -> None:
        # An attempt changes the state, never the content: the event's data is taken as
        # stored now, since retention may have scrubbed it (``rewrite_job``) while the
        # attempt, holding the record it loaded before, was in flight.
        key = delivery_key(delivery.id)

        def apply(pipe: redis.client.Pipeline) -> None:
            raw = pipe.get(key)
            if raw is not None:
                delivery.data = WebhookDelivery.model_validate_json(raw).data
            pipe.multi()
            if due is None:
                pipe.set(key, delivery.model_dump_json(), ex=self.keep_s)
                pipe.zrem(DUE, delivery.id)
            else:
                pipe.set(key, delivery.model_dump_json())
                pipe.zadd(DUE, {delivery.id: due})

        self.redis.transaction(apply, key)

    def rewrite_job(self, job_id: str, change: Callable[[WebhookDelivery], bool]) -> int:
        """Store each of the job's events as ``change`` edits it in place (when it says it
        changed something), keeping its state and expiry; how many changed."""
        ids = [_text(i) for i in self.redis.lrange(job_deliveries_key(job_id), 0, -1)]
        return sum(self._rewrite(delivery_key(i), change) for i in ids)

    def _rewrite(self, key: str, change: Callable[[WebhookDelivery], bool]) -> bool:
        changed = False

        def apply(pipe: redis.client.Pipeline) -> None:
            nonlocal changed
            raw = pipe.get(key)
            if raw is None:
                return
            delivery = WebhookDelivery.model_validate_json(raw)
            changed = change(delivery)
            if changed:
                pipe.multi()
                pipe.set(key, delivery.model_dump_json(), keepttl=True)

        self.redis.transaction(apply, key)
        return changed

    def forget(self, delivery_id: str) -> None:
        """Drop an id whose record is gone (deleted with its job) from the due index."""
        self.redis.zrem(DUE, delivery_id)

    def disable_endpoint(self, tenant: str, url: str) -> None:
        self.redis.sadd(disabled_key(tenant), url)

    def is_disabled(self, tenant: str, url: str) -> bool:
        return bool(self.redis.sismember(disabled_key(tenant), url))

    def disabled_endpoints(self, tenant: str) -> list[str]:
        members = self.redis.smembers(disabled_key(tenant))
        return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)

    def enable_endpoint(self, tenant: str, url: str) -> bool:
        """Send events to ``url`` again; False when it was not disabled."""
        return bool(self.redis.srem(disabled_key(tenant), url))

    def records(self, ids: list[str]) -> list[WebhookDelivery]:
        """The records of ``ids`` in that order (for a batch's deliveries)."""
        return deliveries(self.redis, ids)

    def deliveries_of_job(self, job_id: str) -> list[WebhookDelivery]:
        """A job's deliveries, oldest event first."""
        ids = [_text(i) for i in self.redis.lrange(job_deliveries_key(job_id), 0, -1)]
        return deliveries(self.redis, ids)
