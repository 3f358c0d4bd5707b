"""HEAD for every inbox page: answered as its GET, headers only.

HTTP requires HEAD wherever GET is served (RFC 9110 §9.1), and link checkers, uptime
monitors and ``curl -I`` use it; FastAPI's routes answer it 405. A pure ASGI layer rather
than ``HEAD`` on each route: no page can be added without it, and the body is dropped here
whatever server runs the app (uvicorn drops it too; not every server does).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.headers import applies_to


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or not applies_to(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                # Content-Length stays the GET's, as HEAD's must.
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
