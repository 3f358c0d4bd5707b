"""An exception the classifier does not know (a parser's, a library's) becomes the job's
error by its type and a description of what went wrong, never by its text: that text may
quote the request (the caller's words, the reply spoken) or a credential."""

from __future__ import annotations

import json
from collections.abc import Callable

import anthropic
import httpx
import httpx2
import openai
import pytest

from shared.errors import MediaRejected
from workers.providers.errors import ProviderError, classify_exception, sdk_errors, unreadable

WORDS = "Please call me back about my mother's prescription"
KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c"
TEXT = f"could not use {WORDS!r} sent with Authorization: Bearer {KEY}"


@pytest.mark.parametrize(
    ("exc", "described"),
    [
        (ValueError(TEXT), "ValueError"),
        (KeyError(TEXT), "KeyError"),
        (RuntimeError(TEXT), "RuntimeError"),
        (httpx.DecodingError(TEXT), "DecodingError"),
        (json.JSONDecodeError(TEXT, TEXT, 3), "JSONDecodeError"),
    ],
    ids=["value", "key", "runtime", "httpx-decoding", "json"],
)
def test_an_unexpected_exception_is_named_by_its_type_never_by_its_text(
    exc: Exception, described: str
) -> None:
    error = classify_exception("OpenAI", exc)

    assert (error.code, error.retryable) == ("malformed_response", False)
    assert error.message.startswith("OpenAI")
    assert described in error.message
    assert "prescription" not in error.message
    assert "call me back" not in error.message
    assert KEY not in error.message
    assert "Bearer" not in error.message


def test_our_own_stage_failure_keeps_the_words_we_wrote_for_the_job() -> None:
    error = classify_exception("Google", MediaRejected("undecodable", "the audio is cut short"))

    assert error.code == "malformed_response"
    assert error.message == "Google: the audio is cut short"


def test_a_reason_we_wrote_is_told_as_written() -> None:
    error = unreadable("ElevenLabs", "the answer decodes to no audio")

    assert (error.code, error.retryable) == ("malformed_response", False)
    assert error.message == "ElevenLabs: the answer decodes to no audio"


def _sent(url: str) -> httpx2.Request:
    body = {"messages": [{"role": "user", "content": WORDS}], "input": WORDS}
    return httpx2.Request(
        "POST", url, json=body, headers={"authorization": f"Bearer {KEY}", "x-api-key": KEY}
    )


@pytest.mark.parametrize(
    "failing",
    [
        # An error event in a stream (openai._streaming): the message is the server's, and a
        # compatible server may echo the request into it.
        lambda: openai.APIError(
            f"invalid input: {WORDS} ({KEY})", _sent("https://api.openai.com/v1/x"), body=None
        ),
        lambda: anthropic.APIError(
            f"invalid input: {WORDS}", _sent("https://api.anthropic.com/v1/messages"), body=None
        ),
        # The SDK's own error from whatever it was handed.
        lambda: openai.OpenAIError(f"could not parse {WORDS!r}"),
        lambda: anthropic.AnthropicError(f"could not parse {WORDS!r}"),
    ],
    ids=["openai-api-error", "anthropic-api-error", "openai-sdk-error", "anthropic-sdk-error"],
)
def test_an_sdk_error_no_rule_takes_never_quotes_the_request_or_the_key(
    failing: Callable[[], Exception],
) -> None:
    exc = failing()
    sdk, base = (
        (openai, openai.OpenAIError)
        if "openai" in type(exc).__module__
        else (anthropic, anthropic.AnthropicError)
    )

    with pytest.raises(ProviderError) as caught, sdk_errors("Vendor", sdk, base, _unused):
        raise exc

    assert caught.value.code == "malformed_response"
    assert caught.value.message.startswith("Vendor: ")
    assert "prescription" not in caught.value.message
    assert KEY not in caught.value.message


def test_an_sdk_errors_own_words_that_quote_nothing_are_told() -> None:
    answered = httpx2.Response(200, request=_sent("https://api.openai.com/v1/x"))
    exc = openai.APIResponseValidationError(response=answered, body={"text": 42})

    with (
        pytest.raises(ProviderError) as caught,
        sdk_errors("OpenAI", openai, openai.OpenAIError, _unused),
    ):
        raise exc

    assert caught.value.message == "OpenAI: Data returned by API invalid for expected schema."


def _unused(exc: object) -> ProviderError:
    raise AssertionError("no status error here")
