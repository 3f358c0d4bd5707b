"""Whisper API: how each failure of the API (rate limit, quota, server error, timeout,
unreachable, bad model or key, unreadable 200) becomes a ProviderError, and what its message
leaves out."""

from __future__ import annotations

import pytest

from shared.settings import Settings
from tests.conftest import free_port
from tests.fakes.openai import OpenAIFake
from tests.fakes.server import Fault
from tests.unit.workers.providers.stt.whisper_api_helpers import (
    PATH,
    settings_for,
    transcribe_error,
)
from workers.providers.base import AudioInput
from workers.providers.stt import whisper


def test_429_with_retry_after_is_rate_limited_for_that_long(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.error(429, retry_after=7))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable, error.retry_after_s) == ("rate_limited", True, 7.0)
    assert len(fake.calls(PATH)) == 1, "the SDK must not retry on its own"


def test_insufficient_quota_is_spend_limit_reached_and_not_retried(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.error(429, "insufficient_quota"))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable) == ("spend_limit_reached", False)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_provider_unavailable_and_retryable(
    fake: OpenAIFake, spoken: AudioInput, status: int
) -> None:
    fake.fail_next(fake.error(status))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable, error.status) == ("provider_unavailable", True, status)
    assert len(fake.calls(PATH)) == 1


def test_a_server_slower_than_the_client_timeout_is_a_retryable_timeout(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.timeout(delay_s=2.0))
    error = transcribe_error(settings_for(fake, timeout_s=0.3), spoken)

    assert (error.code, error.retryable) == ("timeout", True)


def test_an_unreachable_server_is_a_retryable_connection_error(spoken: AudioInput) -> None:
    closed = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings = Settings(openai={"api_key": "sk-test", "base_url": closed}).openai
    error = transcribe_error(settings, spoken)

    assert (error.code, error.retryable) == ("connection_error", True)


def test_an_unknown_model_is_provider_rejected(fake: OpenAIFake, spoken: AudioInput) -> None:
    error = transcribe_error(settings_for(fake, stt_model="whisper-9"), spoken)

    assert (error.code, error.retryable, error.status) == ("provider_rejected", False, 400)
    assert "Invalid model" in error.message


def test_verbose_json_from_a_gpt_4o_model_is_refused_like_the_real_api(
    fake: OpenAIFake, spoken: AudioInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whisper, "wants_verbose", lambda model: True)
    error = transcribe_error(settings_for(fake, stt_model="gpt-4o-mini-transcribe"), spoken)

    assert (error.code, error.status) == ("provider_rejected", 400)


def test_a_wrong_key_is_auth_failed(fake: OpenAIFake, spoken: AudioInput) -> None:
    error = transcribe_error(settings_for(fake, api_key="sk-wrong"), spoken)

    assert (error.code, error.retryable, error.status) == ("auth_failed", False, 401)


@pytest.mark.parametrize(
    "body", [b"<html>gateway</html>", b'{"task": "transcribe"}', b'{"text": 42}'], ids=str
)
def test_an_unreadable_200_is_malformed_response(
    fake: OpenAIFake, spoken: AudioInput, body: bytes
) -> None:
    fake.fail_next(Fault(status=200, body=body))
    error = transcribe_error(settings_for(fake), spoken)

    assert (error.code, error.retryable) == ("malformed_response", False)


CALLER = "this is Maria Lopez call me at 415 555 0198"


@pytest.mark.parametrize(
    "body",
    [
        # A compatible server's verbose_json without duration or language.
        f'{{"task": "transcribe", "text": "{CALLER}"}}',
        f'{{"text": "{CALLER}", "duration": 3.0, "language": "en", "words": "{CALLER}"}}',
        f"{CALLER}\n",  # plain text where JSON was asked for
    ],
    ids=["missing-fields", "wrong-type", "not-json"],
)
def test_an_unreadable_200_names_what_is_wrong_without_quoting_the_callers_words(
    fake: OpenAIFake, spoken: AudioInput, body: str
) -> None:
    fake.fail_next(Fault(status=200, body=body.encode()))
    error = transcribe_error(settings_for(fake), spoken)

    assert error.code == "malformed_response"
    assert "Maria" not in error.message
    assert "0198" not in error.message
    assert "OpenAI answered a" in error.message


def test_an_error_quoting_the_bearer_token_it_was_sent_leaves_the_provider_without_it(
    fake: OpenAIFake, spoken: AudioInput
) -> None:
    fake.fail_next(fake.error(401, message="Incorrect API key provided: sk-test."))
    error = transcribe_error(settings_for(fake), spoken)

    assert "sk-test" not in error.message
    assert "Incorrect API key provided: [redacted]." in error.message
