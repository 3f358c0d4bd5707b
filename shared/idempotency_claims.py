"""Idempotency-Key claims of submissions, kept in the job store's Redis.

A claim maps a tenant's key (hashed) to what it named: api.idempotency decides what they
mean. A mixin of ``JobStore`` so that every holder of the store can make and read claims.
"""

from __future__ import annotations

from redis import Redis

from shared.jobstore_lua import TAKE_OVER
from shared.redis_keys import key


class IdempotencyClaims:
    redis: Redis

    def _claim_scripts(self, client: Redis) -> None:
        self._take_over = client.register_script(TAKE_OVER)

    def idempotency_get(self, tenant: str, key_hash: str) -> str | None:
        raw = self.redis.get(key("idem", tenant, key_hash))
        return raw.decode() if isinstance(raw, bytes) else raw

    def idempotency_claim(self, tenant: str, key_hash: str, value: str, ttl_s: int) -> bool:
        return bool(self.redis.set(key("idem", tenant, key_hash), value, nx=True, ex=ttl_s))

    def idempotency_note(self, tenant: str, key_hash: str, value: str, ttl_s: int) -> None:
        """Set the claim to ``value`` whatever it was: a key whose latest request wins."""
        self.redis.set(key("idem", tenant, key_hash), value, ex=ttl_s)

    def idempotency_take_over(
        self, tenant: str, key_hash: str, old: str, new: str, ttl_s: int
    ) -> bool:
        """Replace the claim ``old`` by ``new``, only if it is still ``old``."""
        return bool(self._take_over(keys=[key("idem", tenant, key_hash)], args=[old, new, ttl_s]))

    def idempotency_release(self, tenant: str, key_hash: str) -> None:
        self.redis.delete(key("idem", tenant, key_hash))
