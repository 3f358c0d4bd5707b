"""The inbox: server-rendered pages under /inbox that make VoicePipe's output usable by a
person (voicemails to scan, to play and to correct; batch reports).

Pages are Jinja2 templates over the same stores and services as the JSON API, with a
little plain JavaScript (``static/app.js``) on top; every asset ships in this package.
Signing in takes an API key once and keeps the tenant in a signed cookie (``session``);
every form carries a CSRF token (``access``); every answer carries a strict
Content-Security-Policy (``headers``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.failures import UnexpectedErrorPage
from api.web.head import HeadAsGet
from api.web.headers import SecurityHeaders
from api.web.pages import STATIC, install_error_pages
from api.web.routes import router
from shared.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the inbox from ``app`` (unless ``web.enabled`` is off)."""
    if not settings.web.enabled:
        return
    # Mounted before the router: its catch-all 404 would otherwise answer for static files.
    app.mount("/inbox/static", StaticFiles(directory=STATIC), name="inbox-static")
    app.include_router(router, include_in_schema=False)
    install_error_pages(app)
    # Innermost of the three, so that its page gets the security headers.
    app.add_middleware(UnexpectedErrorPage)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
