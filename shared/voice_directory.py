"""The voices each speech provider offers, as the tts workers last listed them.

The API answers ``GET /v1/voices`` from here instead of building providers itself: the
workers hold the vendor clients (and, in a split deployment, the only copy of the keys),
list the voices when they start and every ``workers.voices_refresh_s`` after, and publish
each provider's list with an expiry, so a list nobody refreshes disappears rather than
going stale.
"""

from __future__ import annotations

import time

import redis
from pydantic import BaseModel

from shared.redis_keys import key

# What a provider's list says before any tts worker has published it.
NOT_LISTED = "not listed yet: a tts worker lists each provider's voices when it starts"


class PublishedVoices(BaseModel):
    voices: list[str] = []
    # Why the last listing failed (the vendor was down, the key refused), if it did.
    error: str | None = None
    listed_at: float


class VoiceDirectory:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def publish(self, provider: str, voices: list[str], error: str | None, keep_s: float) -> None:
        entry = PublishedVoices(voices=voices, error=error, listed_at=time.time())
        self._redis.set(key("voices", provider), entry.model_dump_json(), ex=round(keep_s))

    def claim_listing(self, period_s: float) -> bool:
        """Whether this process should list the voices now: one lister per period, however
        many tts processes run."""
        lease = key("voices-lease")
        return bool(self._redis.set(lease, "1", nx=True, ex=max(1, round(period_s))))

    def read(self, provider: str) -> PublishedVoices | None:
        raw = self._redis.get(key("voices", provider))
        return None if raw is None else PublishedVoices.model_validate_json(raw)
