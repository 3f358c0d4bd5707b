"""What a failed outbound request tells the person who gave the URL.

These messages reach users (a batch's rejections and exports, a webhook's delivery log), so
each says what went wrong and what to do; the library's own words come last, in parentheses,
without errno numbers or C source locations, which mean nothing to them.
"""

from __future__ import annotations

import re
import socket
import ssl

import httpx

_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
_SSL_SOURCE = re.compile(r"\s*\(_ssl\.c:\d+\)$")
_RETRY_LATER = frozenset({socket.EAI_AGAIN})
# For a URL item; a webhook's own receiver is told only to make itself reachable.
FILE_HINT = "; a presigned URL from your cloud storage works"


def detail(exc: BaseException) -> str:
    """The exception's own words, tidied for the end of a sentence."""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = _SSL_SOURCE.sub("", _ERRNO.sub("", str(exc)))
    return text.strip().rstrip(".") or type(exc).__name__


def not_resolved(host: str, exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror) and exc.errno in _RETRY_LATER:
        return (
            f"The URL's host name {host!r} could not be looked up just now: try again later, "
            f"and check the host name if this keeps happening ({detail(exc)})."
        )
    return (
        f"The URL's host name {host!r} was not found: check the host name for typos; a name "
        "that exists only inside your own network cannot be looked up by the VoicePipe "
        f"server, so use a public URL instead ({detail(exc)})."
    )


def not_a_url(exc: BaseException) -> str:
    return (
        "The URL could not be read as a web address: check that it was copied whole, with "
        f"no spaces or stray characters, as http(s)://host/path ({detail(exc)})."
    )


def bad_redirect(exc: BaseException) -> str:
    return (
        "The server redirected to an address that is not a valid URL: check the URL with "
        "whoever serves it, or give the address it should lead to directly "
        f"({detail(exc)})."
    )


def _server(exc: httpx.HTTPError) -> str:
    try:
        host = exc.request.headers.get("host")
    except RuntimeError:  # raised outside a request: no host to name
        host = None
    return f"the server at {host}" if host else "the URL's server"


def _tls(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def failed(exc: httpx.HTTPError, hint: str) -> str:
    """A request that reached no answer; ``hint`` names a URL that would work, if any."""
    server, why = _server(exc), detail(exc)
    if _tls(exc):
        return (
            f"No secure (https) connection could be made with {server}: check that the URL "
            "should start with https:// and that the server's certificate is valid for its "
            f"name, then try again ({why})."
        )
    if isinstance(exc, httpx.ConnectError):
        return (
            f"VoicePipe could not connect to {server}: check that the URL is reachable from "
            f"the VoicePipe server, not only from inside your own network{hint} ({why})."
        )
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return (
            f"{server[0].upper()}{server[1:]} broke off the connection or did not answer in "
            f"HTTP: check that the URL points at a web server, then try again ({why})."
        )
    return f"The request to {server} failed: check the URL, then try again ({why})."
