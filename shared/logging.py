"""One log format for every process; never log transcripts, audio or secrets.

A logged exception (``log.exception``, ``exc_info``, uvicorn's "Exception in ASGI
application", Celery's) shows its frames and type but not its text (shared.exception_text):
what a route or an engine raised may quote the request's body, a transcript or a reply.

``log_format = "json"`` (``VOICEPIPE_LOG_FORMAT``) makes every line one JSON object
(python-json-logger) for a log pipeline, carrying the job, batch, tenant and stage the line is
about. Those come from :func:`log_context` and :func:`bind`, which the stage runner, the
intake route and the webhook and batch workers call: a line says which job it is about
without each message spelling it out, in text mode too (at its end).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from shared.exception_text import ExcInfo, frames

LogFormat = Literal["text", "json"]
CONTEXT_FIELDS = ("job_id", "batch_id", "tenant", "stage", "request_id")

# At DEBUG these log what we hand them: request URLs with presigned tokens and API keys
# (botocore, urllib3, httpx, httpcore, google's transports), request bodies with the
# transcript (anthropic's "Request options", google's httpRequest), or the reply text itself
# (piper.voice's "text=..., phonemes=..."). Kept at WARNING whatever our own level is.
THIRD_PARTY_LOGGERS = (
    "botocore",
    "boto3",
    "urllib3",
    "requests",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "anthropic",
    "openai",
    "google",
    "grpc",
    "piper",
    "faster_whisper",
    "python_multipart",
    "huggingface_hub",
)

_context: ContextVar[dict[str, str]] = ContextVar("voicepipe_log_context", default={})  # noqa: B039 - never mutated: replaced


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Lines logged inside carry these fields (the ones given, not None)."""
    token = _context.set({**_context.get(), **_given(fields)})
    try:
        yield
    finally:
        _context.reset(token)


def bind(**fields: str | None) -> None:
    """Add fields to the current context (undone when the enclosing log_context ends, or
    with the request or task whose context this is)."""
    _context.set({**_context.get(), **_given(fields)})


def _given(fields: dict[str, str | None]) -> dict[str, str]:
    unknown = set(fields) - set(CONTEXT_FIELDS)
    assert not unknown, unknown
    return {name: value for name, value in fields.items() if value}


class WithContext(logging.Filter):
    """Puts the context's fields on each record a handler emits."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            setattr(record, name, value)
        return True


# What could end a line or drive a terminal: C0 and C1 controls, DEL, and the line and
# paragraph separators str.splitlines() (and log viewers) break at. And what could reorder
# or hide a line's text as it is read: Unicode's format characters (category Cf), the bidi
# embeddings, overrides, isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F)
# with the zero-width and invisible rest, as of Unicode 15 (13439-1343F new there);
# tests/unit/shared/test_log_format_characters.py checks the list against unicodedata.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{_FORMAT}]")


def _escaped(text: str) -> str:
    """``text`` with each control or format character written as Python writes it ("\\n",
    "\\x1b", "\\u202e")."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class _TextFormatter(logging.Formatter):
    """A record is one line from its timestamp: what it holds of a request (a path whose
    "%0a" decoded to a newline, a tenant's name) cannot start a line that passes for another
    record. A traceback keeps its lines, each indented, so only a record starts at column 0."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return _escaped(super().formatMessage(record))

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        return frames(ei)

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:
            # Another handler's formatter (pytest's, a library's) may have cached the whole
            # traceback, text included, on the record: ours is formatted afresh.
            record.exc_text = None
        first, _, rest = super().format(record).partition("\n")
        line = first + "".join(f"\n  {_escaped(part)}" for part in rest.split("\n") if rest)
        about = " ".join(
            f"{name}={_escaped(str(getattr(record, name)))}"
            for name in CONTEXT_FIELDS
            if hasattr(record, name)
        )
        return f"{line} [{about}]" if about else line


def text_formatter() -> logging.Formatter:
    """The text mode's: one record a line, its context's fields at the end."""
    return _TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


class _JsonFormatter(JsonFormatter):
    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        return frames(ei)


def json_formatter() -> JsonFormatter:
    """One JSON object a line, with the field names of every VoicePipe process (also the
    factory uvicorn's supervisor is configured with: api/uvicorn_json_logging.json)."""
    return _JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        # uvicorn repeats each message with terminal colour codes as an extra field.
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def configure_logging(level: str | int = "INFO", fmt: LogFormat = "text") -> None:
    root = logging.getLogger()
    if any(getattr(h, "_voicepipe", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(json_formatter() if fmt == "json" else text_formatter())
    handler.addFilter(WithContext())
    handler._voicepipe = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn gives its loggers handlers of their own: through ours instead, in text too,
    # where its formatter wrote a request line's decoded newline or override as it came.
    # Only the ones it left on: --no-access-log leaves uvicorn.access handler-less and not
    # propagating, and its lines carry whole query strings (phone numbers, texts).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        if uvicorn_logger.handlers:
            uvicorn_logger.handlers.clear()
            uvicorn_logger.propagate = True
    for noisy in THIRD_PARTY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
