"""Rendering: one Jinja2 environment, autoescaping everything, and the HTML error pages.

Autoescape is on for every template whatever its name, and no template marks user data
``|safe``: a transcript that says ``<script>`` is shown as those characters.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.web.access import PageError, SignInRequired, services_of, sign_in_url, tenant_of
from api.web.formatting import FILTERS, TESTS
from api.web.session import Session, read_session, write_session

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@cache
def static_url(name: str) -> str:
    """The file's URL with its content's hash: browsers may cache it, and a release that
    changes it changes the URL."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/inbox/static/{name}?v={digest}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.tests.update(TESTS)
    env.globals["static"] = static_url
    return env


ENV = _environment()


def html(template: str, **context: Any) -> str:
    return ENV.get_template(template).render(**context)


async def render(
    request: Request,
    template: str,
    session: Session,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page, with the session signed again (its age counts from this view)."""
    settings = services_of(request).settings
    tenant = tenant_of(session, settings)
    body = html(
        template,
        csrf=session.csrf,
        tenant=tenant,
        reviewer=session.reviewer,
        open_access=settings.auth.open_access,
        path=request.url.path,
        zone=settings.web.zone,
        **context,
    )
    response = HTMLResponse(body, status_code)
    await write_session(request, response, session)
    return response


async def error_page(request: Request, exc: PageError) -> Response:
    session = await read_session(request)
    response = await render(
        request,
        "error.html",
        session,
        status_code=exc.status_code,
        title=exc.title,
        message=exc.message,
    )
    response.headers.update(exc.headers or {})
    return response


def bare_page(
    path: str, status_code: int, title: str, message: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """An error page drawn without the session, whose reading asks the broker (its sign-out
    check), which may be what failed: so without the signed-in bar."""
    body = html(
        "error.html",
        title=title,
        message=message,
        csrf="",
        tenant=None,
        reviewer=None,
        open_access=False,
        path=path,
    )
    return HTMLResponse(body, status_code, headers=headers)


def unavailable_page(path: str, message: str, headers: dict[str, str]) -> HTMLResponse:
    """A 503 page for a dependency that is down."""
    return bare_page(path, 503, "Temporarily unavailable", message, headers)


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(sign_in_url(exc.next_path), status_code=303)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return await error_page(request, exc)
