"""Anthropic's Messages API on localhost, answering (and failing) like the real one.

Answers come from the rule-based triage, so they are realistic and the same request always
gets the same answer. Like the real API, the fake refuses audio content blocks; built with
``accept_audio=True`` it plays a gateway that transcribes audio instead.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request, Response

from shared.wer import alignment_spans
from tests.fakes.server import FakeServer, Fault, json_fault
from workers.triage import compose_reply, triage_text
from workers.triage.tone import tone_of

API_KEY = "sk-ant-test-key"
MODELS = ("claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5")
TRANSCRIPT = (
    "Hi, this is Maria Lopez. I'd like to reschedule my appointment to Tuesday at 3 pm. "
    "Please call me back at 415 555 0198. Thanks."
)
# The block types a user message may hold, in the order the real 400 lists them.
BLOCK_TYPES = ("text", "image", "document", "search_result", "thinking", "redacted_thinking",
               "tool_use", "tool_result", "server_tool_use", "web_search_tool_result")  # fmt: skip
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
               402: "billing_error", 403: "permission_error", 404: "not_found_error",
               408: "timeout_error", 409: "conflict_error", 413: "request_too_large",
               429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}  # fmt: skip
MESSAGES = {
    "invalid_request_error": "There was an issue with the format or content of your request.",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "The requested resource could not be found.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "This request would exceed the rate limit for your organization.",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}
REFUSAL_EXPLANATION = "This request was declined by a safety classifier."
SPEND_LIMIT = (
    "You have reached your specified workspace API usage limits. You will regain access "
    "when the spend limit resets or is raised."
)
# Cloudflare answers a larger Messages request 413 request_too_large before the API sees it.
MAX_REQUEST_BYTES = 32_000_000
_RATE_LIMIT = 4000  # advertised per minute for requests, and x100 for tokens


class _Invalid(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AnthropicFake(FakeServer):
    vendor = "anthropic"

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        accept_audio: bool = False,
        transcript: str = TRANSCRIPT,
        models: Sequence[str] = MODELS,
        region: str = "US",
        failure_rate: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.api_key = api_key
        self.accept_audio = accept_audio
        # A category ("cyber", "general_harms", ...) makes every answer a refusal, as the
        # API's safety classifiers stop a response: stop_reason "refusal", no content.
        self.refusing: str | None = None
        self.transcript = transcript
        self.models = tuple(models)
        self.region = region
        self._serial = itertools.count(1)
        self._answered = itertools.count(1)  # drives the rate-limit "remaining" headers
        super().__init__(failure_rate=failure_rate, seed=seed)

    def routes(self, app: FastAPI) -> None:
        app.post("/v1/messages")(self._messages)
        app.get("/v1/models")(self._list_models)

    def error(
        self,
        status: int,
        kind: str | None = None,
        *,
        retry_after: float | None = None,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """``kind`` is an error type, or "spend_limit" for the 429 that waiting does not fix."""
        error: dict[str, Any]
        if kind == "spend_limit":
            error = {"type": "rate_limit_error", "message": message or SPEND_LIMIT,
                     "details": {"error_code": "enforced_spend_limit_reached"}}  # fmt: skip
        else:
            kind = kind or ERROR_TYPES.get(status)
            kind = kind or ("api_error" if status >= 500 else "invalid_request_error")
            error = {"type": kind, "message": message or MESSAGES.get(kind, kind)}
        request_id = self._id("req")
        return json_fault(
            status,
            {"type": "error", "error": error, "request_id": request_id},
            retry_after=retry_after,
            headers={"request-id": request_id, **(headers or {})},
        )

    def transient_errors(self) -> list[Fault]:
        return [*super().transient_errors(), self.error(529)]

    def reset(self) -> None:
        super().reset()
        self.refusing = None

    def __enter__(self) -> AnthropicFake:  # typed as this class, not the base
        self.start()
        return self

    # -- routes ---------------------------------------------------------------------------
    async def _messages(self, request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_REQUEST_BYTES:
            return _response(self.error(413))
        try:
            self._authorize(request)
            body = self._validated(raw)
        except _Invalid as exc:
            return _response(self.error(exc.status, message=exc.message))
        content, stop_reason = self._answer(body)
        content, stop_reason, output_tokens = self._limited(content, stop_reason, body)
        payload = {
            "id": self._id("msg"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": max(1, len(raw) // 4), "output_tokens": output_tokens},
        }
        if stop_reason == "refusal":
            payload["stop_details"] = {"type": "refusal", "category": self.refusing,
                                       "explanation": REFUSAL_EXPLANATION}  # fmt: skip
        return Response(json.dumps(payload), 200, self._headers(), "application/json")

    async def _list_models(self, request: Request) -> Response:
        try:
            self._authorize(request)
        except _Invalid as exc:
            return _response(self.error(exc.status, message=exc.message))
        created = "2025-09-29T00:00:00Z"
        data = [{"type": "model", "id": model, "display_name": model, "created_at": created}
                for model in self.models]  # fmt: skip
        first, last = (self.models[0], self.models[-1]) if self.models else (None, None)
        payload = {"data": data, "has_more": False, "first_id": first, "last_id": last}
        return Response(json.dumps(payload), 200, self._headers(), "application/json")

    # -- checks, in the order the real API makes them --------------------------------------
    def _authorize(self, request: Request) -> None:
        if request.headers.get("x-api-key") != self.api_key:
            raise _Invalid(401, "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            raise _Invalid(400, "anthropic-version: header is required")

    def _validated(self, raw: bytes) -> dict[str, Any]:
        try:
            body = json.loads(raw)
        except ValueError:
            raise _Invalid(400, "request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _Invalid(400, "request body must be a JSON object")
        for name in ("model", "max_tokens", "messages"):
            if name not in body:
                raise _Invalid(400, f"{name}: Field required")
        if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
            raise _Invalid(400, "max_tokens: Input should be a valid positive integer")
        messages = body["messages"]
        if not isinstance(messages, list) or not messages:
            raise _Invalid(400, "messages: at least one message is required")
        for i, message in enumerate(messages):
            self._check_message(i, message)
        forced = _forced_tool(body)
        tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
        if forced is not None and forced not in tools:
            raise _Invalid(400, f"tool_choice.name: tool {forced!r} is not in tools")
        if body["model"] not in self.models:
            raise _Invalid(404, f"model: {body['model']}")
        return body

    def _check_message(self, i: int, message: object) -> None:
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise _Invalid(400, f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = message.get("content")
        if isinstance(content, str):
            return
        if not isinstance(content, list):
            raise _Invalid(400, f"messages.{i}.content: Input should be a valid list")
        for j, block in enumerate(content):
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "audio" and self.accept_audio:
                continue
            if kind not in BLOCK_TYPES:
                expected = ", ".join(f"'{t}'" for t in BLOCK_TYPES)
                raise _Invalid(
                    400,
                    f"messages.{i}.content.{j}: Input tag '{kind}' found using 'type' does "
                    f"not match any of the expected tags: {expected}",
                )

    # -- answers --------------------------------------------------------------------------
    def _limited(
        self, content: list[dict[str, Any]], stop_reason: str, body: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str, int]:
        """The answer as the API gives it within ``max_tokens`` (about 4 characters a token):
        text cut where the budget ends, a tool call cut mid-input arriving with ``{}``, and
        stop_reason "max_tokens". A refusing fake withholds the answer altogether."""
        if self.refusing is not None:
            return [], "refusal", 1
        budget = int(body["max_tokens"])
        needed = max(1, len(json.dumps(content)) // 4)
        if needed <= budget:
            return content, stop_reason, needed
        cut: list[dict[str, Any]] = []
        for block in content:
            if block["type"] == "text":
                cut.append({**block, "text": block["text"][: budget * 4]})
            elif block["type"] == "tool_use":
                cut.append({**block, "input": {}})
        return cut, "max_tokens", budget

    def _answer(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        last = next(m for m in reversed(body["messages"]) if m["role"] == "user")
        blocks = last["content"] if isinstance(last["content"], list) else []
        if any(block.get("type") == "audio" for block in blocks):
            return [{"type": "text", "text": self.transcript}], "end_turn"
        text = _text(last["content"])
        forced = _forced_tool(body)
        if forced is None:
            reply = compose_reply(triage_text(_voicemail(text), self.region), self.region)
            return [{"type": "text", "text": reply}], "end_turn"
        if forced == "voicemail_reply":
            tool_input = self._voicemail_reply(_voicemail(text))
        elif forced == "reconciled_transcript":
            tool_input = _reconciled(text)
        else:
            tool_input = {}
        block = {"type": "tool_use", "id": self._id("toolu"), "name": forced, "input": tool_input}
        return [block], "tool_use"

    def _voicemail_reply(self, text: str) -> dict[str, Any]:
        triage = triage_text(text, self.region)
        reply = compose_reply(triage, self.region, heard=bool(text.strip()))
        # What the model is asked for, and nothing else (our triage records more).
        asked = ("caller_name", "callback_number", "dates", "intent", "urgency",
                 "requested_action", "summary")  # fmt: skip
        answer = {name: getattr(triage, name) for name in asked}
        return {**answer, "tone": f"sounds {tone_of(text, None).emotion}", "reply_text": reply}

    def _headers(self) -> dict[str, str]:
        serial = next(self._answered)
        reset = (datetime.now(UTC) + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {"request-id": self._id("req")}
        for name, limit in (("requests", _RATE_LIMIT), ("input-tokens", _RATE_LIMIT * 100),
                            ("output-tokens", _RATE_LIMIT * 100)):  # fmt: skip
            prefix = f"anthropic-ratelimit-{name}"
            headers.update({f"{prefix}-limit": str(limit), f"{prefix}-reset": reset,
                            f"{prefix}-remaining": str(max(0, limit - serial))})  # fmt: skip
        return headers

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._serial):024x}"


def _response(fault: Fault) -> Response:
    return Response(fault.body, fault.status, fault.headers, fault.content_type)


def _forced_tool(body: Mapping[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "tool":
        return str(choice.get("name"))
    return None


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    blocks = content if isinstance(content, list) else []
    return "\n".join(str(b.get("text", "")) for b in blocks if b.get("type") == "text")


def _voicemail(text: str) -> str:
    # Our clients wrap the transcript in <voicemail> tags; answer about that part only.
    match = re.search(r"<voicemail>(.*?)</voicemail>", text, re.DOTALL)
    return match.group(1).strip() if match else text


def _reconciled(text: str) -> dict[str, Any]:
    """Keep the first engine's words; its words the second heard differently are uncertain."""
    first, second = (
        match.group(1).strip() if (match := re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", text, re.S))
        else ""
        for tag in ("first_transcript", "second_transcript")
    )  # fmt: skip
    uncertain = [word for span in alignment_spans(first, second) for word in span["ref"]]
    return {"text": first or second, "uncertain_words": uncertain}
