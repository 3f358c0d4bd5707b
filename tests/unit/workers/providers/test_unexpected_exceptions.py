"""An exception the classifier does not know (a parser's, a library's) becomes the job's
error by its type and a description of what went wrong, never by its text: that text may
quote the request (the caller's words, the reply spoken) or a credential."""

from __future__ import annotations

import json

import httpx
import pytest

from shared.errors import MediaRejected
from workers.providers.errors import classify_exception, unreadable

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
