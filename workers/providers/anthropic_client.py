"""The Anthropic SDK client every Claude provider shares, and its errors turned into ours.

Celery owns retries (with backoff and the job record updated per attempt), so the SDK's own
retries are off: a hidden SDK retry would double the wait and the bill. Every failure leaves
this module as a :class:`ProviderError` made by ``classify_status`` or ``classify_exception``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import anthropic
from anthropic.types import Message, TextBlock, ToolUseBlock
from typing_extensions import override

from shared.models import Usage
from shared.settings.providers import AnthropicSettings
from workers.providers.error_bodies import answer_words, documented_message
from workers.providers.errors import (
    ProviderError,
    classify_status,
    sdk_errors,
    short,
    without_credentials,
)

VENDOR = "Anthropic"
# The version our requests are written against. SDK 2.12 defaults to a newer one
# (2026-10-21) whose behaviour we have not checked, so it is pinned here.
API_VERSION = "2023-06-01"

_verified: set[tuple[str, str]] = set()
_verified_lock = threading.Lock()


class _ApiKeyClient(anthropic.Anthropic):
    """SDK 2.12 sends ``api_key`` as ``Authorization: Bearer``; the Messages API takes an API
    key in ``x-api-key``, so the key goes there and only there."""

    @property
    @override
    def auth_headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.api_key} if self.api_key else {}

    @property
    @override
    def user_agent(self) -> str:
        # The SDK names the client class here; keep the usual name rather than ours.
        return f"Anthropic/Python {anthropic.__version__}"


def make_client(section: AnthropicSettings) -> anthropic.Anthropic:
    """A client for ``section.base_url`` (a gateway speaking the API works too)."""
    if section.api_key is None:
        raise ProviderError(
            "auth_failed", "no Anthropic API key: set VOICEPIPE_ANTHROPIC__API_KEY to use Claude"
        )
    return _ApiKeyClient(
        api_key=section.api_key.get_secret_value(),
        base_url=section.base_url,
        timeout=section.timeout_s,
        max_retries=0,
        default_headers={"anthropic-version": API_VERSION},
    )


def error_from_status(exc: anthropic.APIStatusError) -> ProviderError:
    """Classify an HTTP error answer by status, headers and Anthropic's error kind."""
    # SDK 2.12 reads ``error.details.error_code`` ("enforced_spend_limit_reached"); it is more
    # specific than ``error.type`` ("rate_limit_error"), so it wins when present.
    kind = exc.error_code or exc.type
    return classify_status(
        VENDOR,
        exc.status_code,
        api_message(exc),
        headers=dict(exc.response.headers),
        error_type=str(kind) if kind else None,
    )


def api_message(exc: anthropic.APIStatusError) -> str:
    """The API's own words (``error.message``) unless they quote the request, else the body
    described by its shape; never our key."""
    response = exc.response
    text = answer_words(documented_message(response.text, "error", "message"), response)
    return without_credentials(text, response.request.headers)


def anthropic_errors() -> AbstractContextManager[None]:
    """Run SDK calls, letting only :class:`ProviderError` out."""
    return sdk_errors(VENDOR, anthropic, anthropic.AnthropicError, error_from_status)


def call_messages(client: anthropic.Anthropic, **kwargs: Any) -> Message:
    """``messages.create`` with our errors and a check that the answer has content."""
    with anthropic_errors():
        return checked(client.messages.create(**kwargs))


def post_messages(client: anthropic.Anthropic, body: dict[str, Any]) -> Message:
    """POST ``body`` to /v1/messages exactly as given; SDK errors pass through unchanged.

    The typed ``messages.create`` parameters have no audio block, so content they do not
    describe is sent through the client's generic ``post``: same auth, base URL, timeout
    and error types, and the body reaches the server as written. Callers wrap this in
    :func:`anthropic_errors` after looking at the errors they handle themselves.
    """
    return checked(client.post("/v1/messages", cast_to=Message, body=body))


def checked(message: object) -> Message:
    """``message`` if it is a whole answer: a Message with content that ran to its end.

    An answer cut at ``max_tokens`` (or the context window) is a 200 like any other: its text
    ends mid-sentence and a tool call arrives with ``{}`` as input. Kept, it would be half a
    transcript stored as the whole, or a schema error that hides the cause.
    """
    # Said by its shape, never quoted: a message's text is the caller's words or made of them.
    if not isinstance(message, Message):
        raise malformed("a body that is not a message", _kind(message))
    with billed_for(message):
        stopped(message)
        content = getattr(message, "content", None)
        if not isinstance(content, list) or not content:
            raise malformed("a message without content", f"content is {_kind(content)}")
    return message


def _kind(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, str | bytes | list | dict):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


@contextmanager
def billed_for(message: Message) -> Iterator[None]:
    """A failure raised while reading ``message`` carries the tokens it was billed for:
    Anthropic charges a refused, cut-off or unusable answer as it does a good one."""
    try:
        yield
    except ProviderError as exc:
        if exc.billed is None:
            exc.billed = usage_of(message)
        raise


def stopped(message: Message) -> None:
    """Raise when ``message`` stopped before its end: truncated, or refused."""
    reason = message.stop_reason
    used = int(getattr(message.usage, "output_tokens", 0) or 0)
    if reason == "max_tokens":
        raise ProviderError(
            "output_truncated",
            f"{VENDOR} stopped at the max_tokens limit ({used} tokens written) before the "
            "answer was complete; raise VOICEPIPE_ANTHROPIC__MAX_TOKENS (up to 64000)",
        )
    if reason == "model_context_window_exceeded":
        raise ProviderError(
            "output_truncated",
            f"{VENDOR} filled {message.model}'s context window ({used} tokens written) before "
            "the answer was complete: the input is too long for this model",
        )
    if reason == "refusal":
        details = message.stop_details
        category = (details.category if details else None) or "no category given"
        explanation = f": {details.explanation}" if details and details.explanation else ""
        raise ProviderError(
            "content_refused",
            f"{VENDOR} declined to answer (refusal, {category}){explanation}",
        )


def tool_input(message: Message, name: str) -> dict[str, Any]:
    """The input of the ``name`` tool call in ``message``; its absence is malformed."""
    for block in message.content:
        if isinstance(block, ToolUseBlock) and block.name == name:
            if isinstance(block.input, dict):
                return dict(block.input)
            raise malformed(f"a {name} call whose input is not an object", _kind(block.input))
    kinds = [getattr(block, "type", type(block).__name__) for block in message.content]
    raise malformed(f"no {name} tool call", {"blocks": kinds, "stop_reason": message.stop_reason})


def text_of(message: Message) -> str:
    """The text blocks of ``message`` joined; a message without one is malformed."""
    texts = [block.text for block in message.content if isinstance(block, TextBlock)]
    if not texts or not all(isinstance(text, str) for text in texts):
        raise malformed("no text block", [getattr(b, "type", b) for b in message.content])
    return "".join(texts)


def usage_of(message: Message) -> Usage:
    usage = getattr(message, "usage", None)
    return Usage(
        input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
        # The id that answered, which the usage ledger prices (a gateway may map aliases).
        model=str(getattr(message, "model", "") or "") or None,
    )


def verify_model(client: anthropic.Anthropic, model: str) -> None:
    """Fail clearly, naming the available ids, when ``model`` is not offered to this key."""
    with anthropic_errors():
        ids = [info.id for info in client.models.list(limit=1000)]
    # The list holds dated snapshots as well; an alias ("claude-x-4-5") names one of them.
    if model in ids or any(known.startswith(f"{model}-") for known in ids):
        return
    raise ProviderError(
        "provider_rejected",
        f"{VENDOR} offers no model {model!r} to this key; available: "
        f"{', '.join(ids) or 'none'}. Set VOICEPIPE_ANTHROPIC__MODEL to one of them.",
    )


def ensure_model(client: anthropic.Anthropic, section: AnthropicSettings) -> None:
    """:func:`verify_model` once per process and endpoint, when the settings ask for it."""
    if not section.verify_model:
        return
    key = (section.base_url, section.model)
    with _verified_lock:
        if key in _verified:
            return
    # Outside the lock: a slow endpoint must not stall other threads' requests; two threads
    # verifying at once cost one extra GET.
    verify_model(client, section.model)
    with _verified_lock:
        _verified.add(key)


def forget_verified_models() -> None:
    """Verify again on next use (tests reuse ports, so endpoints repeat)."""
    with _verified_lock:
        _verified.clear()


def malformed(what: str, detail: object) -> ProviderError:
    return ProviderError("malformed_response", f"{VENDOR} answered {what}: {short(detail)}")
