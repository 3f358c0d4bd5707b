"""The OpenAI SDK client both OpenAI providers share, and its errors turned into ours.

Celery owns retries (with backoff and the job record updated per attempt), so the SDK's own
retries are off: a hidden SDK retry would double the wait and the vendor's bill.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openai

from shared.settings import Settings
from workers.providers.errors import ProviderError, classify_exception, classify_status

VENDOR = "OpenAI"


def make_client(settings: Settings, *, timeout_s: float | None = None) -> openai.OpenAI:
    """A client for ``settings.openai.base_url`` (any OpenAI-compatible server works)."""
    section = settings.openai
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
    message = detail.get("message")
    kind = detail.get("type") or detail.get("code")
    return classify_status(
        VENDOR,
        exc.status_code,
        message if isinstance(message, str) and message else _short(exc.response.text),
        headers=dict(exc.response.headers),
        error_type=kind if isinstance(kind, str) else None,
    )


@contextmanager
def openai_errors() -> Iterator[None]:
    """Run an SDK call, letting only :class:`ProviderError` out."""
    try:
        yield
    except openai.APIStatusError as exc:
        raise error_from_status(exc) from exc
    # The SDK runs on httpx2, whose exceptions classify_exception does not know (it checks
    # httpx and builtins), so the SDK's own timeout and connection errors are handed over as
    # the builtin equivalents, keeping the one mapping in classify_exception.
    except openai.APITimeoutError as exc:
        raise classify_exception(VENDOR, TimeoutError(_cause(exc))) from exc
    except openai.APIConnectionError as exc:
        raise classify_exception(VENDOR, ConnectionError(_cause(exc))) from exc
    except openai.OpenAIError as exc:
        # Response validation and anything else the SDK could not make sense of.
        raise ProviderError("malformed_response", f"{VENDOR}: {exc}") from exc


def malformed(what: str, detail: object) -> ProviderError:
    return ProviderError("malformed_response", f"{VENDOR} answered {what}: {_short(detail)}")


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__
    return f"{exc} ({type(cause).__name__}: {cause})" if cause is not None else str(exc)


def _short(value: object, limit: int = 200) -> str:
    text = str(value).strip()
    return text if len(text) <= limit else text[:limit] + "..."
