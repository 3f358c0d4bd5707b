"""Sending a submission so that sending it again is safe: its Idempotency-Key, and the
retries that key makes harmless.

Without a key, a submission whose answer never arrived (Ctrl-C once the upload had gone out,
a dropped connection, a read timeout) may or may not have made its batch, and the only way
to find out was to send it again: every recording then ran twice. The key is made from what
is sent (each file's path, name, size and modification time, and the options), so running the
same command again gets the batches already made back from the server and sends only the
rest; a file changed since is another request, as it should be. `--again` adds a fresh
value, for a deliberate second run.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx

from api.cli.client import ApiClientError

T = TypeVar("T")
# Waits before each retry: about a minute in all, past a broker or API restart.
RETRY_WAITS_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# 409 idempotency_in_progress: the first request with the key is still being recorded.
RETRYABLE_STATUS = {409, 429, 502, 503, 504}
MAX_RETRY_AFTER_S = 60.0
CONNECTING = (httpx.ConnectError, httpx.UnsupportedProtocol)


def request_key(
    files: Sequence[Path], names: Mapping[Path, str], options: Mapping[str, Any], again: bool
) -> str:
    described = [
        [str(path.resolve()), names.get(path, path.name), stat.st_size, stat.st_mtime_ns]
        for path in files
        for stat in (path.stat(),)
    ]
    salt = secrets.token_hex(8) if again else ""
    text = json.dumps([described, sorted((k, str(v)) for k, v in options.items() if v), salt])
    return f"voicepipe-cli-{hashlib.sha256(text.encode()).hexdigest()}"


def sending(
    call: Callable[[], T],
    what: str,
    *,
    reached: bool,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call``, tried again while the server is briefly unable to take it (503, 502, 504,
    429, a key still in progress) or the connection fails; its key makes each try safe. A
    server never ``reached`` in this run that refuses the connection is most likely a wrong
    URL, said at once rather than after a minute of retries."""
    for wait in (*RETRY_WAITS_S, None):
        try:
            return call()
        except ApiClientError as exc:
            if exc.status not in RETRYABLE_STATUS or wait is None:
                raise
            if exc.status == 409 and exc.code != "idempotency_in_progress":
                raise
            reason = f"{exc.status} {exc.code}"
            wait = max(wait, min(exc.retry_after or 0.0, MAX_RETRY_AFTER_S))
        except httpx.TransportError as exc:
            wrong_url = not reached and isinstance(
                exc, httpx.ConnectError | httpx.UnsupportedProtocol
            )
            if wait is None or wrong_url:
                raise
            reason = str(exc) or type(exc).__name__
        click.echo(f"{what}: {reason}; trying again in {wait:g} s...", err=True)
        sleep(wait)
    raise AssertionError("unreachable: the last try raises")


def check_readable(files: Sequence[Path], shown: int = 10) -> None:
    """Every file can be opened, before anything is sent: one that cannot (no permission, a
    link to nothing) stopped an upload half-way with a traceback."""
    problems = []
    for path in files:
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            problems.append(f"{path} ({exc.strerror or exc})")
    if problems:
        listed = "; ".join(problems[:shown]) + ("; …" if len(problems) > shown else "")
        raise click.ClickException(
            f"cannot read {len(problems)} of the {len(files)} file(s), so nothing was sent: "
            f"{listed}. Fix them, or leave them out."
        )
