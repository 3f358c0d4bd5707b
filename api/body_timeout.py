"""Give up on a request body that stops arriving.

uvicorn waits for a request's body as long as its connection stays open: a client that
declared a Content-Length and sent less, or stalled mid-upload, held its connection and its
spooled upload for as long as it liked (measured: 200 connections trickling uploads were all
still held after 30 s, and one that sent 100 KB of a declared 2 MB had no answer at all).
Here a body that sends nothing for ``api.body_timeout_s`` (as nginx's client_body_timeout,
between two reads) is answered ``408 request_timeout`` and its connection closed; and a
client that hangs up mid-body is logged in a line, where Starlette's ClientDisconnect ended
each such request in an "Exception in ASGI application" traceback.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import refuse_before_the_app

log = logging.getLogger("voicepipe.api")


class BodyIdleTimeout:
    """Answers 408 when a request body sends nothing for ``idle_s``."""

    def __init__(self, app: ASGIApp, idle_s: float) -> None:
        self.app = app
        self.idle_s = idle_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        body_done = stalled = False

        async def receive_in_time() -> Message:
            nonlocal body_done, stalled
            if stalled:
                return {"type": "http.disconnect"}
            if body_done:
                # Past the body only a disconnect can come (a streamed answer listens for
                # it): no deadline.
                return await receive()
            try:
                # A timer on the running task, not wait_for's task per read: an upload's
                # body comes in a dozen reads, each on intake's hot path.
                async with asyncio.timeout(self.idle_s):
                    message = await receive()
            except TimeoutError:
                # Looks like a hang-up to the app, which stops reading; its answer is
                # replaced by ours.
                stalled = True
                return {"type": "http.disconnect"}
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            if not stalled:
                await send(message)

        try:
            await self.app(scope, receive_in_time, guarded_send)
        except ClientDisconnect:
            if not stalled:
                log.info("client hung up before sending the whole body of %s", scope["path"])
                return
        except Exception:
            if not stalled:
                raise
        if stalled:
            await self._reject(scope, send)

    async def _reject(self, scope: Scope, send: Send) -> None:
        message = (
            f"The request body stopped arriving: nothing came for {self.idle_s:g} s. Nothing "
            "was stored; send the whole request again."
        )
        await refuse_before_the_app(scope, send, 408, "request_timeout", message)
