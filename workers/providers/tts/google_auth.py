"""What a job's error may say of google-auth's failure to sign in: never credential material.

A refresh sends a credential to the token endpoint (a user's client secret and refresh
token, a service account's assertion: a JWT its private key signed, good for an hour; an
external account's subject token), and google-auth puts what the endpoint answered into its
RefreshError: the OAuth error's ``error`` and ``error_description``, or, when the answer is
not JSON, the whole body, which a proxy in front of the endpoint may fill with the request
it was sent. Credentials found missing or malformed are told in google-auth's own sentences,
which name at most a file or a field.

Kept: the OAuth error code and Google's description ("invalid_grant: Invalid JWT
Signature."), and identifiers that sign nobody in (a service account's email, a key's id),
which say which account to fix. Withheld: any token, secret, assertion or key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from google.auth import exceptions as auth_errors

from workers.providers.errors import short

# A JWT (an assertion, an ID token, a subject token), a PEM key, Google's access and refresh
# tokens, and the value of a form field or JSON member that carries a credential (quoted
# as JSON, escaped within a JSON string, or as the Python dict google-auth writes out).
_CREDENTIALS = (
    (re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*"), "[a signed token, withheld]"),
    (re.compile(r"-----BEGIN[^-]*-----.*?(-----END[^-]*-----|$)", re.DOTALL), "[a key, withheld]"),
    (re.compile(r"\bya29\.[\w.-]+"), "[an access token, withheld]"),
    (re.compile(r"\b1/(/|%2F)[\w%-]+", re.IGNORECASE), "[a refresh token, withheld]"),
    (
        re.compile(
            r"\b(client_secret|refresh_token|assertion|subject_token|access_token|id_token"
            r"|private_key|password|code)(\\?['\"]?\s*[=:]\s*\\?['\"]?)(?!\[)[^&\s\"',}\\]+",
            re.IGNORECASE,
        ),
        r"\1\2[withheld]",
    ),
)


def auth_words(exc: auth_errors.GoogleAuthError) -> str:
    """``exc``'s words for a job's error: OAuth's documented error shape where the token
    endpoint answered one, else google-auth's text; either without credential material."""
    answered = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(answered, Mapping) and isinstance(answered.get("error"), str):
        described = answered.get("error_description")
        text = f"{answered['error']}: {described}" if isinstance(described, str) else ""
        text = text or answered["error"]
    else:
        # Not the tuple's repr, which repeats the answer whole.
        text = str(exc.args[0]) if exc.args else type(exc).__name__
    return short(without_credential_material(text))


def without_credential_material(text: str) -> str:
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    return text
