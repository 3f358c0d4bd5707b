"""Security headers on every ``/inbox`` answer: pages, media, static files and errors
(``X-Content-Type-Options``, which every answer of the API carries, is api.response_headers').

A pure ASGI middleware, not a route decorator, so that no answer under the prefix can miss
them (a 404 from the router, a static file, an exception handler's page).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.session import came_over_https

PREFIX = "/inbox"
STATIC = PREFIX + "/static/"

# No inline script or style anywhere: every script and style sheet is a file under
# /inbox/static, charts are SVG elements styled by class, and media come from /inbox.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


# Sent on answers that came over HTTPS: the browser then uses HTTPS for this host, so the
# session cookie and a typed API key never cross plain HTTP, even from a link or a typed
# "http://" (no stripping proxy gets a first request). A year, as Mozilla's and OWASP's
# guidance and the preload lists ask: anything shorter leaves a window each time it lapses
# between visits, and a host that served the inbox over HTTPS has no reason to go back
# (beyond localhost, plain HTTP cannot sign in at all: the cookie is Secure). Without
# includeSubDomains or preload: the deployment's other hosts are not ours to pin.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def _pins_https(scope: Scope) -> bool:
    connection = HTTPConnection(scope)
    host = (connection.url.hostname or "").lower()
    # HSTS holds for every port of a name: localhost pinned to HTTPS by a local TLS proxy
    # would turn away the plain-HTTP inbox of `voicepipe up`, and Flower, for a year.
    local = host == "localhost" or host.endswith(".localhost")
    return not local and came_over_https(connection)


def applies_to(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not applies_to(scope["path"]):
            await self.app(scope, receive, send)
            return
        pins_https = _pins_https(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if pins_https:
                    headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
                if scope["path"].startswith(STATIC):
                    # Named with their content's hash (?v=): a new release is a new URL.
                    headers["Cache-Control"] = "public, max-age=86400"
                elif "cache-control" not in headers:
                    # Pages show one tenant's voicemails: no shared cache may keep them.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
