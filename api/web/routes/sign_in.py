"""/inbox/sign-in and /inbox/sign-out: an API key typed once, a session cookie after."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.hidden_characters import without_hidden
from api.web.access import (
    checked_form,
    key_id,
    safe_next,
    services_of,
    signed_in_tenant,
    tenant_of,
)
from api.web.pages import render
from api.web.session import (
    NEEDS_HTTPS,
    cookie_refused,
    new_session,
    read_session,
    write_session,
)
from api.web.session import sign_out as end_session

router = APIRouter(prefix="/inbox")
MAX_NAME = 80


def reviewer_name(typed: str) -> str:
    """The name recorded with corrections, without hidden characters: control and format
    characters (NUL, zero-width spaces, right-to-left overrides) would make a name that reads
    as none, or as someone else's, in the corrections table. The joiners and directional
    marks written names need stay (``api.hidden_characters``), as in a correction: keeping
    printable characters only took the zero-width non-joiner out of a Persian name."""
    return without_hidden(typed).strip()[:MAX_NAME]


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    session = await read_session(request)
    settings = services_of(request).settings
    # With open access the form only asks for a name (for the review records), and may be
    # filled in again to change it.
    if not settings.auth.open_access and tenant_of(session, settings) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    # An over-long or foreign ``next`` leads to the inbox (safe_next), not to a refused form.
    # Said before a key is typed: over plain HTTP beyond localhost signing in cannot work.
    error = NEEDS_HTTPS if cookie_refused(request) else None
    return await render(
        request,
        "sign_in.html",
        session,
        next=safe_next(next),
        name="",
        error=error,
        refused=None,
    )


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    session = await read_session(request)
    form = await checked_form(request, session)
    name = reviewer_name(str(form.get("name") or ""))
    # Stripped here, so that the session names the key that was checked: a pasted key with
    # a space around it must match its configured entry on every later page too.
    key = str(form.get("api_key") or "").strip()
    target = safe_next(str(form.get("next") or ""))
    settings = services_of(request).settings
    if settings.auth.open_access:
        tenant: str | None = tenant_of(session, settings)
    else:
        tenant = signed_in_tenant(key, settings)
    error = refused = None
    if not name:
        error, refused = "Give your name: it is recorded with every correction you make.", "name"
    elif tenant is None:
        # Never the key in the answer: it may be a real key of someone else's, mistyped.
        error, refused = "That API key is not valid (unknown, revoked or mistyped).", "api_key"
    if error:
        # The refused field has the focus: typing again goes into it, not to the page.
        return await render(
            request,
            "sign_in.html",
            session,
            status_code=401,
            next=target,
            name=name,
            error=error,
            refused=refused,
        )
    assert tenant is not None
    response = RedirectResponse(target, status_code=303)
    signed = session.signed_in(tenant, key_id(key) if key else "", name)
    await write_session(request, response, signed)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    session = await read_session(request)
    await checked_form(request, session)
    if session.tenant:
        await end_session(request, session)
    response = RedirectResponse("/inbox/sign-in", status_code=303)
    # Replaced by a fresh session, not deleted: the sign-in form needs a CSRF token.
    await write_session(request, response, new_session())
    return response
