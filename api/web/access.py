"""Who is looking at a page: the tenant from the session, checked on every request.

A session names a tenant and the key it signed in with; the key's entry must still be
configured for that tenant, so removing a key from ``VOICEPIPE_AUTH__KEYS`` signs its
sessions out. With open access (no keys, loopback only) every visitor is tenant
``default``, as on the JSON API.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from api.deps import Services
from api.reviewing import MAX_TRANSCRIPT_CHARS
from api.security import hash_key, tenant_for
from api.web.session import COOKIE, NEEDS_HTTPS, Session, cookie_refused, read_session
from shared.settings import Settings
from shared.settings.auth import OPEN_TENANT

# Characters of the configured hash kept in the session: 64 bits, plenty to tell keys apart.
KEY_ID_CHARS = 16
OPEN_REVIEWER = "local"
# Characters of the page to go back to after signing in that the sign-in link carries.
MAX_NEXT = 2000


class SignInRequired(Exception):
    """The page needs a signed-in tenant; answered with a redirect to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageError(Exception):
    """An HTML error page with its status (the JSON API's errors are JSON)."""

    def __init__(
        self, status_code: int, title: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class Visitor:
    session: Session
    tenant: str
    reviewer: str


def key_id(key: str) -> str:
    return hash_key(key)[:KEY_ID_CHARS]


def signed_in_tenant(key: str, settings: Settings) -> str | None:
    """The tenant of a key typed into the sign-in form: the API's own check."""
    return tenant_for(key.strip(), settings)


def _key_still_configured(session: Session, settings: Settings) -> bool:
    if not (session.tenant and session.key_id):
        return False
    prefix = f"{session.tenant}:{session.key_id}"
    # Configured entries are public (hashes); compared in constant time all the same.
    return any(hmac.compare_digest(entry[: len(prefix)], prefix) for entry in settings.auth.keys)


def tenant_of(session: Session, settings: Settings) -> str | None:
    if settings.auth.open_access:
        return OPEN_TENANT
    return session.tenant if _key_still_configured(session, settings) else None


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _form_page(request: Request) -> str:
    """The page a form was posted from, as its Referer names it (sent on same-origin posts:
    Referrer-Policy same-origin); the inbox without one. Only its path is kept, and only an
    inbox page's (safe_next): a proxy may name the site otherwise than the Host we see."""
    referer = urlsplit(request.headers.get("referer", ""))
    page = f"{referer.path}?{referer.query}" if referer.query else referer.path
    return safe_next(page)


def _requested(request: Request) -> str:
    """The page to come back to: with its query while that fits in the sign-in link, else
    the page alone (a long search in a shared link is not worth a refused sign-in). For a
    form posted once the session had ended, the form's page: the URL posted to takes POST
    only, and going back to it after signing in was a 404."""
    if request.method not in {"GET", "HEAD"}:
        return _form_page(request)
    path = request.url.path
    whole = f"{path}?{request.url.query}" if request.url.query else path
    if len(whole) <= MAX_NEXT:
        return whole
    return path if len(path) <= MAX_NEXT else "/inbox"


async def current_visitor(request: Request) -> Visitor:
    session = await read_session(request)
    settings = services_of(request).settings
    tenant = tenant_of(session, settings)
    if tenant is None:
        raise SignInRequired(_requested(request))
    reviewer = session.reviewer or (OPEN_REVIEWER if settings.auth.open_access else tenant)
    return Visitor(session=session, tenant=tenant, reviewer=reviewer)


VisitorDep = Annotated[Visitor, Depends(current_visitor)]


def safe_next(value: str | None) -> str:
    """Where to go after signing in: an inbox path only, never another site."""
    if (
        value
        and len(value) <= MAX_NEXT
        and value.startswith("/inbox")
        and not value.startswith("/inbox/sign-")
        and "\\" not in value
        and "//" not in value
    ):
        return value
    return "/inbox"


def sign_in_url(next_path: str) -> str:
    return f"/inbox/sign-in?next={quote(next_path, safe='/')}"


async def checked_form(request: Request, session: Session) -> FormData:
    """The posted form, once its CSRF token matches the session's (else a 403 page)."""
    try:
        form = await request.form()
    except HTTPException as exc:
        # Starlette's parser refuses a field over 1 MB or a malformed body with a 400 that
        # the JSON API words for uploads ("the recording in the field 'file'"): a page here.
        raise PageError(
            400,
            "Form not read",
            f"This form could not be read ({exc.detail}). A transcript takes at most "
            f"{MAX_TRANSCRIPT_CHARS:,} characters and a note or name far fewer: shorten what "
            "you typed and send the form again from its page.",
        ) from None
    token = form.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise PageError(403, "Form refused", _refusal(request))
    return form


def _refusal(request: Request) -> str:
    # Without the cookie, reloading and sending again would be refused again: say why.
    if COOKIE not in request.cookies:
        if cookie_refused(request):
            return NEEDS_HTTPS
        return (
            "Your browser sent this form without the inbox's session cookie: cookies are "
            "blocked for this site, or were cleared. Allow cookies for this site, reload the "
            "page and send it again."
        )
    return (
        "This form was not sent by the page it came from (its security token is missing "
        "or stale). Go back, reload the page and send it again."
    )
