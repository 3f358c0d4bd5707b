"""When and after how long a failed stage is tried again."""

from __future__ import annotations

import random

from shared.errors import StageFailed
from shared.settings.providers import RETRY_AFTER_JITTER, RetrySettings

# Our plan's concurrency cap is not a fault of the request: requeueing for it is allowed
# more often than retrying a real failure.
REQUEUE_FACTOR = 4


def asked_too_long(exc: StageFailed, retries: RetrySettings) -> float | None:
    """The pause the vendor asked for, when it is longer than this deployment waits.

    Trying again sooner than the vendor said (a quota reset tomorrow) would only be refused
    again, spending an attempt and the vendor's patience each time, with the job shown as
    retrying all the while: such a failure is not retried, and the job fails at once saying
    how long the vendor asked for."""
    hint = getattr(exc, "retry_after_s", None)
    if hint is not None and hint > retries.max_retry_after_s:
        return float(hint)
    return None


def should_retry(attempts: int, exc: StageFailed, retries: RetrySettings) -> bool:
    if not exc.retryable or asked_too_long(exc, retries) is not None:
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
        # Capped all the same: a longer one is not retried (should_retry), and the wait is
        # held by the broker, whose visibility timeout the settings keep above this cap.
        floor = min(float(hint), retries.max_retry_after_s)
        return floor + rng.uniform(0, RETRY_AFTER_JITTER * floor)
    return rng.uniform(0, ceiling)
