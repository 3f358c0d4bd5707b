"""API keys: made by ``voicepipe keys create``, configured as hashes, checked on /v1.

A key is ``vp_`` and 43 URL-safe characters (32 random bytes). The tenant is not in the
key: it comes from the configured ``<tenant>:<sha256>`` entry, so a key reveals nothing and
moving it to another tenant is a settings change. Keys are never logged or echoed back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi.security import APIKeyHeader, HTTPBearer

from api.errors import ApiError
from shared.settings import Settings
from shared.settings.auth import OPEN_TENANT, TENANT_PATTERN

KEY_PREFIX = "vp_"
_KEY = re.compile(r"^vp_[A-Za-z0-9_-]{43}$")

# auto_error=False: these only read the headers (and document them in OpenAPI); the 401
# with our own error body comes from authenticate().
bearer_scheme = HTTPBearer(
    auto_error=False, description="`Authorization: Bearer vp_...` with a VoicePipe API key."
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The same key in an `X-API-Key` header."
)


def generate_key() -> str:
    """A new API key. 256 random bits: guessing one, or reversing its hash, is hopeless."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The SHA-256 hex digest stored in settings.

    A plain fast hash is enough because keys are random and long, not chosen by people:
    there is no dictionary to try, so salting and key stretching would add nothing.
    """
    return hashlib.sha256(key.encode()).hexdigest()


def key_entry(tenant: str, key: str) -> str:
    """The ``<tenant>:<hash>`` line for ``VOICEPIPE_AUTH__KEYS``."""
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError(f"tenant must match {TENANT_PATTERN.pattern}")
    return f"{tenant}:{hash_key(key)}"


def is_well_formed(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def tenant_for(key: str, settings: Settings) -> str | None:
    """The tenant a key belongs to, or None when it is not a configured key."""
    if not is_well_formed(key):
        return None
    digest = hash_key(key)
    found: str | None = None
    # Every entry is compared, in constant time, so timing tells nothing about the others.
    for entry in settings.auth.keys:
        tenant, _, stored = entry.partition(":")
        if hmac.compare_digest(stored, digest):
            found = tenant
    return found


def presented_keys(bearer: str | None, x_api_key: str | None) -> list[str]:
    """The keys a request carries: the bearer token's, then the ``X-API-Key`` header's if it
    is another."""
    keys: list[str] = []
    for candidate in (bearer, x_api_key):
        if candidate and candidate.strip() and candidate.strip() not in keys:
            keys.append(candidate.strip())
    return keys


_SEND = "send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'."
# A scheme word worth naming back; anything else may be the key itself, never echoed.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,19}$")


def _no_key(authorization: str | None) -> str:
    """Why a request carries no key we read: an Authorization header of another form is
    named (a key sent without "Bearer " is a common slip), never its value."""
    scheme, _, rest = (authorization or "").strip().partition(" ")
    if not scheme:
        return f"This API needs a key: {_SEND}"
    if scheme.lower() == "bearer":
        return f"The Authorization header says 'Bearer' but no key follows: {_SEND}"
    if rest.strip() and _SCHEME.fullmatch(scheme):
        return f"The Authorization header's scheme is {scheme!r}, not 'Bearer': {_SEND}"
    return f"The Authorization header has no 'Bearer ' before the key: {_SEND}"


def _not_valid(keys: list[str]) -> str:
    # OpenAI's SDKs send OPENAI_API_KEY from the environment when given no key: pointed
    # here by base_url alone, they send an OpenAI key, which is not ours to name "mistyped".
    if any(key.startswith("sk-") for key in keys):
        return (
            "The API key is not valid here: it looks like an OpenAI key (sk-...), and "
            f"VoicePipe takes keys of its own ({KEY_PREFIX}..., made by `voicepipe keys "
            "create`). Pass one as the SDK's api_key: given none, it sends OPENAI_API_KEY."
        )
    return "The API key is not valid (unknown, revoked or mistyped)."


def authenticate(keys: list[str], settings: Settings, authorization: str | None = None) -> str:
    """The caller's tenant; raises a 401 ApiError when a key is needed and not valid, and a
    400 for two keys of different tenants: one is never picked over the other, so a request
    cannot run as a tenant its sender did not mean. ``authorization``, the raw header, only
    words the 401 of a request whose header is not a bearer token."""
    if settings.auth.open_access:
        # Settings allow this only on a loopback host (Settings._keys_required_beyond_loopback).
        return OPEN_TENANT
    if not keys:
        raise ApiError(
            401, "missing_api_key", _no_key(authorization), headers={"WWW-Authenticate": "Bearer"}
        )
    tenants = {tenant_for(key, settings) for key in keys}
    if None in tenants:
        raise ApiError(
            401,
            "invalid_api_key",
            _not_valid(keys),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if len(tenants) > 1:
        raise ApiError(
            400,
            "conflicting_api_keys",
            "The request carries the keys of two different tenants ('Authorization: Bearer' "
            "and 'X-API-Key'): send one of them.",
        )
    tenant = tenants.pop()
    assert tenant is not None
    return tenant
