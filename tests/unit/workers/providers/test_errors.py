from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from workers.providers import anthropic_client, openai_client
from workers.providers.errors import (
    ProviderError,
    classify_exception,
    classify_status,
    retry_after_seconds,
)
from workers.providers.tts import elevenlabs, google


@pytest.mark.parametrize(
    ("status", "kind", "code", "retryable"),
    [
        (400, "invalid_request_error", "provider_rejected", False),
        (401, "authentication_error", "auth_failed", False),
        (401, "quota_exceeded", "spend_limit_reached", False),
        (402, "billing_error", "spend_limit_reached", False),
        (402, None, "spend_limit_reached", False),
        (402, "payment_required", "spend_limit_reached", False),
        (401, "insufficient_credits", "spend_limit_reached", False),
        (403, "permission_error", "auth_failed", False),
        (404, "not_found_error", "provider_rejected", False),
        (413, "request_too_large", "provider_rejected", False),
        (429, "rate_limit_error", "rate_limited", True),
        (429, "insufficient_quota", "spend_limit_reached", False),
        (429, "too_many_concurrent_requests", "concurrency_limited", True),
        (429, "concurrent_limit_exceeded", "concurrency_limited", True),
        (429, "rate_limit_exceeded", "rate_limited", True),
        (429, "system_busy", "provider_overloaded", True),
        (500, "api_error", "provider_unavailable", True),
        (503, None, "provider_unavailable", True),
        (504, None, "timeout", True),
        (529, "overloaded_error", "provider_overloaded", True),
    ],
)
def test_each_status_maps_to_one_code(
    status: int, kind: str | None, code: str, retryable: bool
) -> None:
    error = classify_status("Vendor", status, "message", error_type=kind)

    assert (error.code, error.retryable, error.status) == (code, retryable, status)


def test_a_spend_limit_429_is_permanent_even_without_a_special_type() -> None:
    error = classify_status(
        "Anthropic", 429, "You have reached your spend limit.", error_type="rate_limit_error"
    )

    assert error.code == "spend_limit_reached"
    assert not error.retryable


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert retry_after_seconds({"Retry-After-Ms": "1500", "retry-after": "9"}) == 1.5


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after_seconds({"retry-after": future}) or 0) <= 31
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_the_vendor_message_reaches_the_job() -> None:
    error = classify_status("OpenAI", 401, "Incorrect API key provided")

    assert "OpenAI answered 401: Incorrect API key provided" in error.message


def test_transport_failures_are_retryable() -> None:
    timeout = classify_exception("X", httpx.ReadTimeout("slow"))
    refused = classify_exception("X", httpx.ConnectError("refused"))

    assert (timeout.code, timeout.retryable) == ("timeout", True)
    assert (refused.code, refused.retryable) == ("connection_error", True)


def test_unknown_codes_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown provider error code"):
        ProviderError("oops", "x")


def test_transport_failures_of_httpx2_based_sdks_are_retryable_too() -> None:
    import httpx2

    assert classify_exception("X", httpx2.ReadTimeout("slow")).code == "timeout"
    assert classify_exception("X", httpx2.ConnectError("refused")).code == "connection_error"


@pytest.mark.parametrize(
    ("vendor", "setting"),
    [
        (anthropic_client.VENDOR, "VOICEPIPE_ANTHROPIC__API_KEY"),
        (openai_client.VENDOR, "VOICEPIPE_OPENAI__API_KEY"),
        (elevenlabs.VENDOR, "VOICEPIPE_ELEVENLABS__API_KEY"),
        (google.VENDOR, "GOOGLE_APPLICATION_CREDENTIALS"),
    ],
)
@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_names_the_setting_to_fix(vendor: str, setting: str, status: int) -> None:
    # What the operator reads on the failed job: which of the deployment's keys to fix.
    error = classify_status(vendor, status, "invalid credentials")

    assert (error.code, error.retryable) == ("auth_failed", False)
    assert setting in error.message


@pytest.mark.parametrize(
    ("vendor", "url", "setting"),
    [
        ("Anthropic", "https://api.anthropic.com/v1/messages", "VOICEPIPE_ANTHROPIC__BASE_URL"),
        ("OpenAI", "https://api.openai.com/v1/audio/speech", "VOICEPIPE_OPENAI__BASE_URL"),
        ("ElevenLabs", "https://api.elevenlabs.io/v1/voices", "VOICEPIPE_ELEVENLABS__BASE_URL"),
    ],
)
def test_a_vendor_unreached_at_its_own_address_points_at_the_network_not_the_setting(
    vendor: str, url: str, setting: str
) -> None:
    failed = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")
    failed.request = httpx.Request("POST", url)

    message = classify_exception(vendor, failed).message

    assert message.startswith(f"could not reach {vendor} at its own address")
    assert "network, DNS, proxy and firewall" in message
    assert f"check {setting}" not in message


def test_a_custom_address_unreached_still_names_its_setting() -> None:
    failed = httpx.ConnectError("[Errno 111] Connection refused")
    failed.request = httpx.Request("POST", "http://10.0.0.5:8080/v1/messages")

    message = classify_exception("Anthropic", failed).message

    assert "check VOICEPIPE_ANTHROPIC__BASE_URL and this host's network" in message
    assert "10.0.0.5" not in message
