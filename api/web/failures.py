"""An exception no handler takes, under /inbox: an HTML 500 page, not the plain text of
Starlette's last-resort handler.

That handler sits outside every middleware, so its answer had none of the inbox's security
headers (CSP, X-Frame-Options, no-store) and read "Internal Server Error" to a person in a
browser. This layer sits inside ``SecurityHeaders``: its page gets them all. The page says
nothing of the exception (a path, a key, a query may be in it); it gives a reference (the
answer's X-Request-Id), logged with the traceback, that the person can pass on to whoever
runs VoicePipe. The JSON API answers its own in its error shape, with a reference too
(``api.errors``).
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.response_headers import request_id_of
from api.web.headers import applies_to
from api.web.pages import bare_page

log = logging.getLogger("voicepipe.api")


def _message(reference: str) -> str:
    return (
        "The inbox could not answer this page because of an unexpected error on the server "
        f"(reference {reference}): nothing you did caused it. Try again in a moment; if it "
        "happens again, give whoever runs this VoicePipe the reference, which its log shows "
        "beside the error."
    )


class UnexpectedErrorPage:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not applies_to(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if started:
                # Half an answer is out: nothing to replace it with; the server logs it.
                raise
            # The page's X-Request-Id, so a reference passed on finds the same log line.
            reference = request_id_of(scope)
            # The path only: a query string may hold a search's words (a caller's name).
            log.exception(
                "unexpected error answering %s %s (reference %s)",
                scope["method"],
                scope["path"],
                reference,
            )
            page = bare_page(scope["path"], 500, "Something went wrong", _message(reference))
            await page(scope, receive, send)
