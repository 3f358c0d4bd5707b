"""Checks of the settings that are URLs, made at start-up.

Without them a malformed address is accepted and fails far from its cause: an S3 endpoint
without a scheme (or an empty one, as a compose file's `${VAR:-}` gives) was a ValueError
traceback from boto3 when the API or a worker built its storage, and a public URL without
one went into every link the API wrote.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

# A host name or an IPv4 address (an IPv6 one is given as a URL, in brackets).
_HOST = re.compile(r"[A-Za-z0-9_.-]+")


def http_url(value: str | None, setting: str, *, empty_is_unset: bool = True) -> str | None:
    """``value`` if it is an http(s) URL with a host; None for an empty value where that
    means "not set"; otherwise a ValueError that names ``setting`` and what to give."""
    if value is None or (empty_is_unset and not value.strip()):
        return None
    # A message must not carry a password given in the URL's user part.
    from shared.settings.services import without_password

    shown = without_password(value)
    try:
        parsed = urlparse(value.strip())
        parsed.port  # noqa: B018  (reading it checks it: 0-65535)
    except ValueError as exc:
        raise ValueError(f"{setting}: {exc} (got {shown!r})") from None
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ValueError(
            f"{setting} must be an http:// or https:// URL with a host, as in "
            f"http://host:port (got {shown!r})"
        )
    return value.strip()


def host_or_http_url(value: str | None, setting: str) -> str | None:
    """``value`` if it is an http(s) URL with a host (checked as ``http_url``) or a bare
    host with an optional port, as Google's client takes an endpoint; None for an empty
    value; otherwise a ValueError that names ``setting`` and what to give."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if "://" in text:
        return http_url(text, setting)
    try:
        parsed = urlparse(f"https://{text}")
        parsed.port  # noqa: B018  (reading it checks it: 0-65535)
    except ValueError as exc:
        raise ValueError(f"{setting}: {exc} (got {text!r})") from None
    if not parsed.hostname or not _HOST.fullmatch(parsed.hostname) or parsed.path.strip("/"):
        raise ValueError(
            f"{setting} must be a host, as in eu-texttospeech.googleapis.com, or an http:// "
            f"or https:// URL with a host, as in http://host:port (got {text!r})"
        )
    return text
