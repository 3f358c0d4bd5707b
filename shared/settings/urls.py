"""Checks of the settings that are URLs, made at start-up.

Without them a malformed address is accepted and fails far from its cause: an S3 endpoint
without a scheme (or an empty one, as a compose file's `${VAR:-}` gives) was a ValueError
traceback from boto3 when the API or a worker built its storage, and a public URL without
one went into every link the API wrote.
"""

from __future__ import annotations

from urllib.parse import urlparse


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
