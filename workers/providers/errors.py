"""One place that decides whether a provider failure is worth another try.

Every cloud client turns what went wrong into a :class:`ProviderError` through
:func:`classify_status` or :func:`classify_exception`; the stage runner then retries the
retryable ones with backoff and fails the job at once on the rest.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from types import ModuleType
from typing import Any

import httpx
from pydantic import BaseModel

from shared.errors import StageFailed, VoicePipeError
from shared.models import Usage
from shared.settings.providers import AnthropicSettings, ElevenLabsSettings, OpenAISettings
from workers.providers.error_bodies import request_body, said_words

# code -> retryable. Codes are joined with the stage on the job: "llm.auth_failed".
CODES: dict[str, bool] = {
    "rate_limited": True,  # 429: our quota; wait as told
    "concurrency_limited": True,  # ElevenLabs: our plan's parallel requests; requeue later
    "provider_overloaded": True,  # Anthropic 529, ElevenLabs system_busy: their load
    "provider_unavailable": True,  # 5xx
    "timeout": True,
    "connection_error": True,
    "auth_failed": False,  # 401/403: a wrong or revoked key does not heal by waiting
    "spend_limit_reached": False,  # a 429 that no amount of waiting fixes
    "rejected_media": False,  # the vendor refuses this audio
    "provider_rejected": False,  # 400/404/413/422: the request itself is wrong
    "malformed_response": False,  # the vendor answered something we cannot read
    "output_truncated": False,  # stopped at our output limit: the same call stops there again
    "content_refused": False,  # the model declined (a safety stop): asking again does not help
}


class ProviderError(StageFailed):
    """A provider call failed; ``retry_after_s`` is the vendor's own hint, if it gave one."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown provider error code {code!r}")
        super().__init__(code, message, retryable=CODES[code] if retryable is None else retryable)
        self.status = status
        self.retry_after_s = retry_after_s
        # What the vendor billed for an answer it gave and we could not use (a refusal, a
        # cut-off or unreadable answer): the stage runner records it on the job's stage.
        self.billed: Usage | None = None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a server asked for: ``retry-after-ms``, then ``retry-after`` (seconds or date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


# Request headers that carry a credential, and the scheme word before it where there is one.
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "xi-api-key", "api-key")


def without_credentials(text: str, request_headers: Mapping[str, str] | None) -> str:
    """``text`` without the credentials the request carried: a vendor (or a gateway in front
    of it) may quote the key it was sent in its error, and errors are stored and logged."""
    lowered = {k.lower(): v for k, v in (request_headers or {}).items()}
    for name in _CREDENTIAL_HEADERS:
        value = lowered.get(name, "")
        secret = value.split(" ", 1)[1] if name == "authorization" and " " in value else value
        if len(secret) >= 6:
            text = text.replace(secret, "[redacted]")
    return text


# Where each vendor's credential is set, named on an auth_failed job: the vendor's words
# ("invalid x-api-key") do not say which of the deployment's keys to fix (a hybrid stage
# calls two vendors). Keyed by the lower-cased vendor name the clients pass.
_CREDENTIAL_SETTINGS = {
    "anthropic": "VOICEPIPE_ANTHROPIC__API_KEY",
    "openai": "VOICEPIPE_OPENAI__API_KEY",
    "elevenlabs": "VOICEPIPE_ELEVENLABS__API_KEY",
    "google": "the service account that GOOGLE_APPLICATION_CREDENTIALS names",
}


# Where each vendor's address and patience are set, named on a job that could not reach it
# or waited it out: an OpenAI-compatible server's URL mistyped, or its slow model, is ours to fix.
_ADDRESS_SETTINGS = {
    "anthropic": "VOICEPIPE_ANTHROPIC__BASE_URL",
    "openai": "VOICEPIPE_OPENAI__BASE_URL",
    "elevenlabs": "VOICEPIPE_ELEVENLABS__BASE_URL",
    "google": "VOICEPIPE_GOOGLE__ENDPOINT",
}
_TIMEOUT_SETTINGS = {
    "anthropic": "VOICEPIPE_ANTHROPIC__TIMEOUT_S",
    "openai": "VOICEPIPE_OPENAI__TIMEOUT_S",
    "elevenlabs": "VOICEPIPE_ELEVENLABS__TIMEOUT_S",
    "google": "VOICEPIPE_GOOGLE__TIMEOUT_S",
}


def _auth_failed(vendor: str, text: str, status: int | None) -> ProviderError:
    setting = _CREDENTIAL_SETTINGS.get(vendor.lower())
    fix = f"; check {setting}" if setting else ""
    return ProviderError("auth_failed", f"{text}{fix}", status=status)


def auth_refused(vendor: str, text: str) -> ProviderError:
    """``auth_failed`` with ``text`` as said, for a sign-in that failed where no HTTP status
    is known to tell (google-auth's errors carry none): never a made-up "answered 401"."""
    return _auth_failed(vendor, text, None)


_CONCURRENCY_KINDS = frozenset({"too_many_concurrent_requests", "concurrent_limit_exceeded"})


def classify_status(
    vendor: str,
    status: int,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    error_type: str | None = None,
) -> ProviderError:
    """Map an HTTP error answer to a code. ``error_type`` is the vendor's own error kind."""
    kind = (error_type or "").lower()
    text = f"{vendor} answered {status}: {message}".strip()
    wait = retry_after_seconds(headers or {})
    # Money, not the key: ElevenLabs answers a used-up quota with a 401 ("quota_exceeded"),
    # Anthropic a low balance with a 402 ("billing_error"). A 402 is Payment Required
    # whatever its body says (a compatible server's, a proxy's): never "check the request".
    billing = any(word in kind for word in ("spend", "quota", "billing", "credit"))
    if status == 402 or (billing and status in (401, 403, 429)):
        return ProviderError("spend_limit_reached", text, status=status)
    if status in (401, 403):
        return _auth_failed(vendor, text, status)
    if status == 429:
        if "spend limit" in message.lower():
            return ProviderError("spend_limit_reached", text, status=status)
        # ElevenLabs: "too_many_concurrent_requests" in its legacy `status`, and
        # "concurrent_limit_exceeded" in the `code` that replaced it (beside
        # "rate_limit_exceeded", a rate limit): our plan's requests at once, not a rate.
        if kind in _CONCURRENCY_KINDS:
            text = f"{text} (the provider's concurrency limit: requeued until a slot frees)"
            return ProviderError("concurrency_limited", text, status=status, retry_after_s=wait)
        if kind == "system_busy":
            return ProviderError("provider_overloaded", text, status=status, retry_after_s=wait)
        return ProviderError("rate_limited", text, status=status, retry_after_s=wait)
    if status == 529 or kind == "overloaded_error":
        return ProviderError("provider_overloaded", text, status=status, retry_after_s=wait)
    if status in (408, 409) or status >= 500:
        code = "timeout" if status in (408, 504) else "provider_unavailable"
        return ProviderError(code, text, status=status, retry_after_s=wait)
    if status == 404 and (setting := _ADDRESS_SETTINGS.get(vendor.lower())):
        # Nothing there: most often an address missing its path (an OpenAI-compatible
        # server's URL without its /v1), else a model the vendor does not have.
        text = f"{text}; nothing by that path or model there: check {setting} and the model set"
    return ProviderError("provider_rejected", text, status=status)


def _transport_classes() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    timeouts: list[type[BaseException]] = [httpx.TimeoutException, TimeoutError]
    transports: list[type[BaseException]] = [httpx.TransportError, ConnectionError, OSError]
    try:  # the newer vendor SDKs ride on httpx2, whose errors are not httpx's
        import httpx2

        timeouts.append(httpx2.TimeoutException)
        transports.append(httpx2.TransportError)
    except ImportError:
        pass
    return tuple(timeouts), tuple(transports)


_TIMEOUTS, _TRANSPORT = _transport_classes()


def _default_host(section: type[BaseModel]) -> str:
    return httpx.URL(str(section.model_fields["base_url"].default)).host


# The vendors' own hosts, where a client goes when its BASE_URL is left as it ships.
_DEFAULT_HOSTS = {
    "anthropic": _default_host(AnthropicSettings),
    "openai": _default_host(OpenAISettings),
    "elevenlabs": _default_host(ElevenLabsSettings),
}


def request_host(exc: BaseException) -> str | None:
    """The host of the request ``exc`` (httpx's, httpx2's) failed on, when it says."""
    with suppress(Exception):  # httpx: RuntimeError when the error carries no request
        return str(exc.request.url.host)  # type: ignore[attr-defined]
    return None


def _unreached(vendor: str, exc: BaseException, host: str | None) -> ProviderError:
    setting = _ADDRESS_SETTINGS.get(vendor.lower())
    own = _DEFAULT_HOSTS.get(vendor.lower())
    if setting and own and (host or request_host(exc)) == own:
        # Nobody changed the address: a setting to check would send them looking for a
        # mistake they did not make. The way from here to the vendor is what failed.
        return ProviderError(
            "connection_error",
            f"could not reach {vendor} at its own address, {own} ({exc}); check this host's "
            f"network, DNS, proxy and firewall ({setting} is the default)",
        )
    where = f"; check {setting} and this host's network" if setting else ""
    return ProviderError("connection_error", f"could not reach {vendor}: {exc}{where}")


def classify_exception(
    vendor: str, exc: BaseException, *, host: str | None = None
) -> ProviderError:
    """Map a transport failure (no HTTP answer) to a retryable code. ``host``: the one the
    request went to, when ``exc`` no longer carries its request."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, _TIMEOUTS):
        setting = _TIMEOUT_SETTINGS.get(vendor.lower())
        wait = f"; {setting} sets how long to wait" if setting else ""
        return ProviderError("timeout", f"{vendor} did not answer in time ({exc}){wait}")
    if isinstance(exc, _TRANSPORT):
        return _unreached(vendor, exc, host)
    if isinstance(exc, VoicePipeError):
        # Ours (a decoder's MediaRejected): its message was written to be shown on a job.
        return unreadable(vendor, exc.message)
    return ProviderError("malformed_response", f"{vendor}: {_unexpected(exc)}")


def unreadable(vendor: str, reason: str) -> ProviderError:
    """An answer we could not use, for ``reason`` in our own words (never the answer's)."""
    return ProviderError("malformed_response", f"{vendor}: {reason}")


# What an exception we did not expect is taken to say, by its kind. Never its text: a parser
# or a library may quote what it was handed (the caller's words, the reply being spoken) or
# a request's headers (a key), and a job's error is shown to API callers and sent in webhooks.
_UNEXPECTED: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (json.JSONDecodeError, "an answer that is not JSON"),
    (UnicodeError, "an answer that is not text in its declared encoding"),
    (KeyError, "an answer missing a field it should have"),
    ((TypeError, AttributeError), "an answer of a shape it should not have"),
    (ValueError, "an answer holding a value that could not be read"),
)


def _unexpected(exc: BaseException) -> str:
    kind = type(exc).__name__
    for types, said in _UNEXPECTED:
        if isinstance(exc, types):
            return f"{said} ({kind}; its text is not shown, as it may quote the request)"
    return f"an unexpected {kind} (its text is not shown, as it may quote the request)"


# h11's words (under httpx and httpx2) for a body that ended before its Content-Length.
_BODY_CUT = "without sending complete message body"


@contextmanager
def sdk_errors(
    vendor: str,
    sdk: ModuleType,
    base_error: type[Exception],
    from_status: Callable[[Any], ProviderError],
) -> Iterator[None]:
    """Run calls of a Stainless-generated SDK (anthropic, openai): only ProviderError gets out.

    Both SDKs ride on httpx2 and share one exception layout: the status error goes to
    ``from_status`` (it knows where the vendor puts its error type), timeouts and connection
    errors to :func:`classify_exception`, anything else is an answer we could not read.
    """
    try:
        yield
    except sdk.APIStatusError as exc:
        raise from_status(exc) from exc
    except sdk.APITimeoutError as exc:
        raise classify_exception(vendor, TimeoutError(cause_text(exc))) from exc
    except sdk.APIConnectionError as exc:
        error = classify_exception(vendor, ConnectionError(cause_text(exc)), host=request_host(exc))
        if _BODY_CUT in str(exc.__cause__):
            # The vendor answered and its body broke off: "could not reach" it sent whoever
            # read it to the network. Still the connection's failure, tried again.
            cut = exc.__cause__
            error.message = f"{vendor} answered, but the answer broke off mid-read ({cut})"
            error.args = (error.message,)
        raise error from exc
    except base_error as exc:
        raise ProviderError("malformed_response", f"{vendor}: {_sdk_words(exc)}") from exc
    except json.JSONDecodeError as exc:
        # A 2xx declared JSON whose body is not (empty, cut by a proxy): the SDK parses it
        # unwrapped, and the job failed as an internal JSONDecodeError naming no vendor.
        raise ProviderError(
            "malformed_response", f"{vendor} answered a body that is not JSON ({exc.msg})"
        ) from exc
    except (*_TIMEOUTS, *_TRANSPORT) as exc:
        # Raised as they are by a streamed answer's body, read after the SDK handed it over.
        raise classify_exception(vendor, exc) from exc


def _sdk_words(exc: Exception) -> str:
    """What an SDK error no other rule took may say on a job. An APIError's message is the
    vendor's (an error event in a stream: "An error occurred during streaming" unless it
    gave one) or the SDK's fixed words about an answer ("Data returned by API invalid for
    expected schema."): held to the rule of an error body, as a compatible server may echo
    the request into it. Any other SDK error's text is the SDK's own making, from whatever
    it was handed: named by its kind, as an exception no rule expects is."""
    message = getattr(exc, "message", None)
    request = getattr(exc, "request", None)
    if isinstance(message, str) and request is not None:
        told = said_words(message, request_body(request))
        return without_credentials(told, getattr(request, "headers", None))
    return _unexpected(exc)


def cause_text(exc: BaseException) -> str:
    cause = exc.__cause__
    return f"{exc} ({type(cause).__name__}: {cause})" if cause is not None else str(exc)


def short(value: object, limit: int = 200) -> str:
    text = str(value).strip()
    return text if len(text) <= limit else text[:limit] + "..."
