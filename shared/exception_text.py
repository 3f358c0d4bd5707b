"""What a log line or a job's error may say of an exception: its kind and where it was raised,
not its text unless its kind is known to be written by us or by infrastructure.

An exception's text is whatever its raiser put in it: a parser's "invalid literal: '<the
caller's words>'", pydantic's ``input_value=...``, a KeyError naming a word of a transcript,
an engine's runtime quoting the reply it was speaking. Logs, a job's error (shown to API
callers and sent in signed webhooks) and Flower must never hold a transcript or a reply, so
the text of an exception of any other kind is left out; its frames (file, line, function and
source line: our code, never data) and its type are what an operator debugs from, with the
job's stored input to replay it where its content is theirs to read.
"""

from __future__ import annotations

import builtins
import secrets
import traceback
from types import TracebackType

# Kinds whose text is written to be read (ours: shared.errors, its message shown on jobs) or
# by infrastructure that never holds a request's words (Redis and the queue name a host and a
# command, botocore a bucket's error code and a key named by job id, Celery its task;
# billiard, the pool under it, a worker lost or a time limit).
_TOLD_BY = (
    "shared.",
    "workers.",
    "api.",
    "redis.",
    "kombu.",
    "amqp.",
    "celery.",
    "billiard.",
    "botocore.",
)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def kind(exc: BaseException) -> str:
    """``exc``'s type: its bare name for a builtin, else module and name ("onnxruntime.capi.
    onnxruntime_pybind11_state.Fail" says which runtime broke; "Fail" alone does not)."""
    cls = type(exc)
    if cls.__module__ == builtins.__name__:
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def reference() -> str:
    """An id that finds a failure's log line: on a job's error beside its id (a stage may
    fail several times, each logged under its own)."""
    return f"err_{secrets.token_hex(8)}"


def told(exc: BaseException) -> bool:
    """Whether ``exc``'s text may be logged: its kind is ours or infrastructure's."""
    return type(exc).__module__.startswith(_TOLD_BY)


def said(exc: BaseException) -> str:
    """What a log may say of ``exc``: its kind, then its text where its kind may say it, else
    an OS error's number (its file name may be a caller's upload's)."""
    name = kind(exc)
    if told(exc):
        return f"{name}: {exc}" if str(exc) else name
    errno = getattr(exc, "errno", None) if isinstance(exc, OSError) else None
    number = f" [Errno {errno}]" if isinstance(errno, int) else ""
    return f"{name}{number} (its text is not logged: it may quote a transcript or a reply)"


def frames(exc_info: ExcInfo | tuple[None, None, None]) -> str:
    """``exc_info`` as a traceback reads, each exception of its chain told by :func:`said`."""
    exc = exc_info[1]
    if exc is None:
        return ""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link: str | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, traceback._cause_message  # type: ignore[attr-defined]
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, traceback._context_message  # type: ignore[attr-defined]
        else:
            current = None
    parts: list[str] = []
    for raised, linked in reversed(chain):
        stack = traceback.extract_tb(raised.__traceback__)
        if stack:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(stack.format())
        parts.append(said(raised) + "\n")
        if linked is not None:
            parts.append(linked)
    return "".join(parts).rstrip("\n")
