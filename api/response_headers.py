"""``X-Content-Type-Options: nosniff`` on every answer the API sends.

Transcripts, replies and refusals echo what callers wrote; a browser that sniffed one as
HTML would run it. Set in one place, outside every other layer: a middleware added with
``add_middleware`` sits inside Starlette's ``ServerErrorMiddleware``, so the last resort's
500 (api.errors) would pass it by.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class NoSniff:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["X-Content-Type-Options"] = "nosniff"
            await send(message)

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
