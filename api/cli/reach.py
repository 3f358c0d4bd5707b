"""The one line a command prints when the API cannot be reached: the address it tried and
what to do. "[Errno 111] Connection refused" alone left an operator guessing which address
the CLI had used (the configured default, another port) and that the stack was down."""

from __future__ import annotations

import httpx

from api.cli.answers import ApiClientError

# Failures that mean nothing answered there at all: a stack not running, a wrong --url.
NOTHING_THERE = (httpx.ConnectError, httpx.UnsupportedProtocol)


def unreachable(exc: httpx.TransportError) -> str:
    try:
        url = exc.request.url
    except RuntimeError:  # raised outside a request: there is no address to name
        where = ""
    else:
        where = f" at {url.scheme}://{url.netloc.decode('ascii', 'replace')}"
    reason = str(exc) or type(exc).__name__
    message = f"cannot reach the API{where} ({reason})"
    if isinstance(exc, NOTHING_THERE):
        message += (
            ": start the stack with `voicepipe up`, or point at the running one with --url "
            "or VOICEPIPE_API__PUBLIC_URL"
        )
    return message


# The server tells an HTTP client which header to send; a person at the command line needs
# to know where the CLI takes its key from instead.
KEY_REFUSALS = {"missing_api_key", "invalid_api_key"}


def refused(exc: ApiClientError) -> str:
    said = f"{exc.code}: {exc.message}"
    if exc.code in KEY_REFUSALS:
        said += (
            " The voicepipe CLI sends the key in VOICEPIPE_CLIENT__API_KEY, or given with "
            "--api-key; `voicepipe keys create --tenant NAME` makes one."
        )
    return said
