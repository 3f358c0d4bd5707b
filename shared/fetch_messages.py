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
# What to do about a timeout: the sender can serve the file faster, or answer a webhook at
# once; the longer wait is the operator's to allow (the setting named for them).
FILE_TOO_SLOW = (
    "serve the file from a host that sends it faster, such as a presigned URL from your "
    "cloud storage, then try again; VoicePipe's operator can allow longer with "
    "VOICEPIPE_FETCH__TIMEOUT_S"
)
RECEIVER_TOO_SLOW = (
    "make the receiver answer with a 2xx at once and do its work afterwards; VoicePipe's "
    "operator can allow longer with VOICEPIPE_WEBHOOKS__TIMEOUT_S"
)


def no_answer(timeout_s: float, next_step: str) -> str:
    return f"The server did not answer within {timeout_s:g} s: {next_step}."


def too_slow(timeout_s: float) -> str:
    return f"The download took over {timeout_s:g} s: {FILE_TOO_SLOW}."


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


def _reset_in_handshake(exc: httpx.HTTPError) -> bool:
    # A reset only comes once a TCP connection was made (a closed port refuses instead), so
    # for an https URL it came during the TLS handshake.
    try:
        https = exc.request.url.scheme == "https"
    except RuntimeError:
        return False
    seen: BaseException | None = exc
    while seen is not None and not isinstance(seen, ConnectionResetError):
        seen = seen.__cause__ or seen.__context__
    return https and seen is not None


def failed(exc: httpx.HTTPError, hint: str) -> str:
    """A request that reached no answer; ``hint`` names a URL that would work, if any."""
    server, why = _server(exc), detail(exc)
    if _tls(exc):
        return (
            f"No secure (https) connection could be made with {server}: check that the URL "
            "should start with https:// and that the server's certificate is valid for its "
            f"name, then try again ({why})."
        )
    if isinstance(exc, httpx.ConnectError) and _reset_in_handshake(exc):
        return (
            f"{server[0].upper()}{server[1:]} cut off the connection while a secure (https) "
            "connection was being set up: check that the URL should start with https:// "
            "rather than http://, that the server serves https on that port, and that no "
            f"firewall before it turns the VoicePipe server away; then try again ({why})."
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
