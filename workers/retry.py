"""When and after how long a failed stage is tried again."""

from __future__ import annotations

import random

from shared.errors import StageFailed
from shared.settings.providers import RetrySettings

# Our plan's concurrency cap is not a fault of the request: requeueing for it is allowed
# more often than retrying a real failure.
REQUEUE_FACTOR = 4


def should_retry(attempts: int, exc: StageFailed, retries: RetrySettings) -> bool:
    if not exc.retryable:
        return False
    limit = retries.max_attempts
    if exc.code == "concurrency_limited":
        limit *= REQUEUE_FACTOR
    return attempts < limit


def retry_delay(
    attempt: int, exc: StageFailed, retries: RetrySettings, rng: random.Random | None = None
) -> float:
    """Seconds to wait before attempt ``attempt + 1``.

    Exponential backoff with full jitter, so a burst of failures does not come back as a
    burst; a vendor's Retry-After is a floor, with a little jitter on top for the same reason.
    """
    rng = rng or random.Random()
    ceiling = min(retries.max_delay_s, retries.base_delay_s * 2 ** max(0, attempt - 1))
    hint = getattr(exc, "retry_after_s", None)
    # A hint of 0 ("retry-after: 0", a date already past) would spend every attempt in one
    # burst; like the vendors' SDKs, take only a positive one.
    if hint is not None and hint > 0:
        floor = min(float(hint), retries.max_retry_after_s)
        return floor + rng.uniform(0, 0.1 * floor)
    return rng.uniform(0, ceiling)
