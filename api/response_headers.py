"""``X-Content-Type-Options: nosniff`` and an ``X-Request-Id`` on every answer the API sends.

Transcripts, replies and refusals echo what callers wrote; a browser that sniffed one as
HTML would run it. The request id is OpenAI's (its SDKs show it as ``_request_id`` on every
result and error, for a log line or a support request), the API's log lines for the request
carry it, and the last resort's 500 gives it as its reference. Set in one place, outside
every other layer: a middleware added with ``add_middleware`` sits inside Starlette's
``ServerErrorMiddleware``, so the last resort's 500 (api.errors) would pass it by.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logging import log_context

# Where the request's id waits in its ASGI scope for the handlers that name it.
REQUEST_ID_SCOPE_KEY = "voicepipe.request_id"


def request_id_of(scope: Scope) -> str:
    """The id this request's answer carries in ``X-Request-Id``."""
    found = scope.get(REQUEST_ID_SCOPE_KEY)
    return found if isinstance(found, str) else new_request_id()


def new_request_id() -> str:
    return "req_" + secrets.token_hex(16)


class NoSniff:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Ours, never the caller's: a client's header would let it write our log's references.
        request_id = new_request_id()
        scope[REQUEST_ID_SCOPE_KEY] = request_id

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Request-Id"] = request_id
            await send(message)

        # The API's lines for this request carry it too, so an id a caller quotes finds them.
        with log_context(request_id=request_id):
            await self.app(scope, receive, with_header)


def nosniff_everywhere(app: FastAPI) -> None:
    """Send every answer of ``app`` through :class:`NoSniff`, outside its whole stack.
    Starlette offers no place outside ``ServerErrorMiddleware`` but the stack it builds (on
    the first request, after every ``add_middleware``), and fastapi-offline builds the app
    itself, so there is no class to extend: the app's own builder is wrapped."""
    build = app.build_middleware_stack

    def built() -> ASGIApp:
        return NoSniff(build())

    app.build_middleware_stack = built  # type: ignore[method-assign]
