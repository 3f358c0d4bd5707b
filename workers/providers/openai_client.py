"""The OpenAI SDK client both OpenAI providers share, and its errors turned into ours.

Celery owns retries (with backoff and the job record updated per attempt), so the SDK's own
retries are off: a hidden SDK retry would double the wait and the vendor's bill.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import openai

from shared.settings.providers import OpenAISettings
from workers.providers.error_bodies import answer_words, documented_message
from workers.providers.errors import (
    ProviderError,
    classify_status,
    sdk_errors,
    short,
    without_credentials,
)

VENDOR = "OpenAI"


def make_client(section: OpenAISettings, *, timeout_s: float | None = None) -> openai.OpenAI:
    """A client for ``section.base_url`` (any OpenAI-compatible server works)."""
    if section.api_key is None:
        raise ProviderError(
            "auth_failed", "no OpenAI API key: set VOICEPIPE_OPENAI__API_KEY to use OpenAI"
        )
    return openai.OpenAI(
        api_key=section.api_key.get_secret_value(),
        base_url=section.base_url,
        timeout=timeout_s if timeout_s is not None else section.timeout_s,
        max_retries=0,
    )


def error_from_status(exc: openai.APIStatusError) -> ProviderError:
    """Classify an HTTP error answer by its status, headers and OpenAI's own error kind."""
    # The SDK hands over body["error"] when the body is OpenAI-shaped, else the whole body.
    body: Any = exc.body
    detail: dict[str, Any] = body if isinstance(body, dict) else {}
    kind = detail.get("type") or detail.get("code")
    response = exc.response
    text = answer_words(documented_message(response.text, "error", "message"), response)
    return classify_status(
        VENDOR,
        exc.status_code,
        without_credentials(text, exc.response.request.headers),
        headers=dict(exc.response.headers),
        error_type=kind if isinstance(kind, str) else None,
    )


def openai_errors() -> AbstractContextManager[None]:
    """Run SDK calls, letting only :class:`ProviderError` out."""
    return sdk_errors(VENDOR, openai, openai.OpenAIError, error_from_status)


def malformed(what: str, detail: object) -> ProviderError:
    return ProviderError("malformed_response", f"{VENDOR} answered {what}: {short(detail)}")
