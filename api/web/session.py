"""The inbox's session: a signed cookie holding the tenant, never the API key.

The cookie carries the tenant a key was checked against, a short id of that key's configured
hash (so revoking the key ends its sessions at the next page), the reviewer's name and the
CSRF token. It is signed with itsdangerous (HMAC-SHA1 over a SHA-1 derived key, with a
timestamp) and refused once older than ``web.session_max_age_s``; every page view signs it
again, so the limit counts from the last view. Signing out is remembered in the broker for
that long, so a copy of the cookie taken before is refused too (``sign_out``).

The signing secret must be the same in every API process. ``web.session_secret`` when set;
otherwise one random secret is made once and kept in the broker (``SET NX``), which every
API process already shares. A secret per process would sign out whoever the next request's
process did not sign in; a file in the data directory is not shared by API processes on
other machines. Keeping it beside the job records gives nothing new to whoever can read them:
they can already read every tenant's voicemails.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass, replace
from typing import Any

import redis
from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from shared.redis_keys import key
from shared.settings import Settings
from shared.settings.auth import is_loopback

COOKIE = "vp_inbox"
COOKIE_PATH = "/inbox"
SECRET_KEY = key("web", "session_secret")
_SALT = "voicepipe.inbox.session"


@dataclass(frozen=True)
class Session:
    csrf: str
    tenant: str | None = None
    # The first characters of the configured hash of the key signed in with: enough to find
    # the entry again, and nothing a key could be recovered from.
    key_id: str | None = None
    reviewer: str | None = None

    def signed_in(self, tenant: str, key_id: str, reviewer: str) -> Session:
        # A new CSRF token with every sign-in: a token planted before it is worth nothing.
        return replace(self, csrf=new_token(), tenant=tenant, key_id=key_id, reviewer=reviewer)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_session() -> Session:
    return Session(csrf=new_token())


def _session_of(data: Any) -> Session | None:
    if not isinstance(data, dict):
        return None
    csrf, tenant, key_id, reviewer = (
        data.get(name) for name in ("csrf", "tenant", "key_id", "reviewer")
    )
    if not (isinstance(csrf, str) and csrf):
        return None
    if not all(value is None or isinstance(value, str) for value in (tenant, key_id, reviewer)):
        return None
    return Session(csrf=csrf, tenant=tenant, key_id=key_id, reviewer=reviewer)


class SessionCodec:
    """Signs sessions into cookie values and reads them back, refusing forged or old ones."""

    def __init__(self, secret: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.max_age_s = max_age_s

    def dumps(self, session: Session) -> str:
        text: str = self._serializer.dumps(asdict(session))
        return text

    def loads(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_s)
        except BadSignature:  # SignatureExpired is one too
            return None
        return _session_of(data)


def stored_secret(client: redis.Redis) -> str:
    """The deployment's generated secret: made by whichever process asks first."""
    while True:
        client.set(SECRET_KEY, new_token(), nx=True)
        value = client.get(SECRET_KEY)
        # None: deleted between the two commands (someone rotating it); make it again.
        if value is not None:
            return value.decode() if isinstance(value, bytes) else str(value)


async def codec_for(request: Request) -> SessionCodec:
    """The app's codec, made on first use (the broker may start after the API)."""
    codec: SessionCodec | None = getattr(request.app.state, "web_sessions", None)
    if codec is None:
        services = request.app.state.services
        settings: Settings = services.settings
        configured = settings.web.session_secret
        if configured is not None:
            secret = configured.get_secret_value()
        else:
            secret = await run_in_threadpool(stored_secret, services.jobs.redis)
        codec = SessionCodec(secret, settings.web.session_max_age_s)
        request.app.state.web_sessions = codec
    return codec


def _signed_out_key(session: Session) -> str:
    # A sign-in's CSRF token is new with it (Session.signed_in), so it names that sign-in;
    # stored hashed, as nothing a form could be forged with.
    return key("web", "signed_out", hashlib.sha256(session.csrf.encode()).hexdigest()[:32])


async def read_session(request: Request) -> Session:
    """The request's session, or a new one (with its CSRF token) when it has none or it was
    signed out."""
    codec = await codec_for(request)
    session = codec.loads(request.cookies.get(COOKIE))
    if session is None:
        return new_session()
    if session.tenant and await _was_signed_out(request, session):
        return new_session()
    return session


async def _was_signed_out(request: Request, session: Session) -> bool:
    client: redis.Redis = request.app.state.services.jobs.redis
    return bool(await run_in_threadpool(client.exists, _signed_out_key(session)))


async def sign_out(request: Request, session: Session) -> None:
    """End ``session`` wherever its cookie is kept: a copy of the cookie taken before signing
    out (another tab, a saved request, a shared machine's browser) no longer opens pages.
    Remembered as long as the cookie could otherwise live."""
    codec = await codec_for(request)
    client: redis.Redis = request.app.state.services.jobs.redis
    await run_in_threadpool(client.set, _signed_out_key(session), "1", ex=codec.max_age_s)


def cookie_is_secure(request: Request) -> bool:
    """Secure whenever the page came over HTTPS, and everywhere but on this machine, where
    the inbox is served over plain HTTP. A reverse proxy on the same machine that passes on
    its upstream's name (nginx's default ``Host: 127.0.0.1:8000``) and says HTTPS in
    ``X-Forwarded-Proto`` (which uvicorn believes from 127.0.0.1) still gets a Secure cookie:
    without it the browser would send the session on any plain-HTTP request to the site."""
    return request.url.scheme == "https" or not is_loopback(request.url.hostname or "")


def came_over_https(request: HTTPConnection) -> bool:
    """Whether the browser reached the page over HTTPS: the request's scheme (uvicorn sets it
    from X-Forwarded-Proto sent by 127.0.0.1), or a TLS proxy elsewhere saying so in that
    header, which uvicorn does not believe (an ingress or a load balancer on another
    address). Believing it where it lies costs little: the "needs HTTPS" warning goes
    unsaid, and a browser on plain HTTP ignores Strict-Transport-Security (RFC 6797 8.1)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def cookie_refused(request: Request) -> bool:
    """Whether the browser will keep no session cookie: a Secure one over plain HTTP (an
    inbox reached at a name other than localhost without TLS). A TLS proxy that uvicorn does
    not believe (an ingress or load balancer on another address: uvicorn trusts
    X-Forwarded-Proto from 127.0.0.1 only) still says HTTPS in its header, and the browser,
    on HTTPS, keeps the cookie: the inbox works there, and saying otherwise would send its
    operator after a problem it does not have."""
    return not came_over_https(request) and cookie_is_secure(request)


NEEDS_HTTPS = (
    "This inbox is reached over plain HTTP at a name other than localhost: its session "
    "cookie is Secure there, so the browser keeps none and signing in cannot work (nor "
    "should an API key cross the network unencrypted). Open it over HTTPS, through a TLS "
    "reverse proxy in front of the API."
)


async def write_session(request: Request, response: Response, session: Session) -> None:
    codec = await codec_for(request)
    response.set_cookie(
        COOKIE,
        codec.dumps(session),
        max_age=codec.max_age_s,
        path=COOKIE_PATH,
        secure=cookie_is_secure(request),
        httponly=True,
        # Lax: a link from elsewhere opens the inbox signed in; a form posted from
        # elsewhere arrives without the cookie (and the CSRF token stops it anyway).
        samesite="lax",
    )
