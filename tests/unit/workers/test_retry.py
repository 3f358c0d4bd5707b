from __future__ import annotations

import random

import pytest

from shared.errors import StageFailed
from shared.settings.providers import RetrySettings
from workers.providers.errors import ProviderError
from workers.retry import asked_too_long, retry_delay, should_retry

RETRIES = RetrySettings(max_attempts=4, base_delay_s=1.0, max_delay_s=10.0)


def test_retryable_errors_are_retried_until_the_attempt_limit() -> None:
    exc = ProviderError("provider_unavailable", "503")

    assert [should_retry(n, exc, RETRIES) for n in (1, 2, 3, 4)] == [True, True, True, False]


def test_permanent_errors_are_never_retried() -> None:
    assert not should_retry(1, ProviderError("auth_failed", "401"), RETRIES)
    assert not should_retry(1, StageFailed("empty_media", "silence"), RETRIES)


def test_concurrency_limits_requeue_more_often_than_failures_retry() -> None:
    exc = ProviderError("concurrency_limited", "429 too_many_concurrent_requests")

    assert should_retry(10, exc, RETRIES)
    assert not should_retry(16, exc, RETRIES)


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    rng = random.Random(1)
    exc = ProviderError("provider_unavailable", "500")

    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 10.0)):
        delays = [retry_delay(attempt, exc, RETRIES, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > 0.8 * ceiling, "jitter should spread over the whole range"


@pytest.mark.parametrize("hint", [0.5, 3.0, 30.0])
def test_retry_after_is_a_floor_with_a_little_jitter(hint: float) -> None:
    exc = ProviderError("rate_limited", "429", retry_after_s=hint)

    delays = [retry_delay(1, exc, RETRIES, random.Random(i)) for i in range(50)]

    assert all(hint <= d <= hint * 1.1 for d in delays)


def test_a_retry_after_longer_than_the_deployment_waits_is_not_retried() -> None:
    # Retrying after 600 s when the vendor said a day would only be refused again, an
    # attempt spent each time with the job shown as retrying.
    exc = ProviderError("rate_limited", "429", retry_after_s=86400)

    assert asked_too_long(exc, RETRIES) == 86400
    assert not should_retry(1, exc, RETRIES)


def test_a_retry_after_up_to_the_longest_wait_is_retried_after_it() -> None:
    exc = ProviderError("rate_limited", "429", retry_after_s=RETRIES.max_retry_after_s)

    assert asked_too_long(exc, RETRIES) is None
    assert should_retry(1, exc, RETRIES)
    assert retry_delay(1, exc, RETRIES, random.Random(0)) <= RETRIES.longest_wait_s


def test_a_retry_after_of_zero_falls_back_to_the_backoff_rather_than_a_burst() -> None:
    # "retry-after: 0" (or a date already past) would retry every attempt at once; the
    # vendors' SDKs ignore such a hint too.
    exc = ProviderError("rate_limited", "429", retry_after_s=0.0)
    rng = random.Random(3)

    delays = [retry_delay(4, exc, RETRIES, rng) for _ in range(200)]

    assert all(0 <= d <= 8.0 for d in delays)
    assert max(delays) > 0.8 * 8.0
