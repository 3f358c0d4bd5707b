"""What a job's error may say of a vendor's error answer: never the words of the request.

A job's error is shown in the API, sent in webhooks, written to exports and logs, and the
README promises it never holds a message's words. A request holds them (the caller's
transcript, the reply spoken back), and a compatible server or a proxy in front of the
vendor may echo its request into its error page ("invalid input: <the text>"); even a
vendor's own message may quote a value it was sent ("Invalid value: '<input>'").
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import deque
from typing import Any

# Words in a row the message shares with the request that make it a quotation. Three keep a
# vendor's own sentence ("is too low", "the rate limit") from matching a long request by
# chance only rarely; a false match costs the vendor's wording, never the classification.
_RUN = 3
_WORD = re.compile(r"\w+")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TITLE_LIMIT = 80


def documented_message(body: str, *path: str) -> str | None:
    """The string at ``path`` in ``body`` when the body is JSON of that shape, else None:
    only a vendor's documented error shape is taken to hold the vendor's own words."""
    try:
        value: Any = json.loads(body)
    except ValueError:
        return None
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value.strip() else None


def error_words(
    message: str | None, body: bytes | str, content_type: str | None, sent: object
) -> str:
    """``message`` (the vendor's words from its documented shape) unless it quotes ``sent``,
    the request's body; else ``body`` described by its shape, never by what it says."""
    if message is not None and not quotes(message, sent):
        return message
    described = shape(body, content_type, sent)
    if message is not None:
        return f"{described}, whose message quotes the request (withheld)"
    return described


def said_words(message: str, sent: object) -> str:
    """``message`` (a vendor's words with no body behind them: a gRPC error's) unless it
    quotes ``sent``, the request; then only that it did."""
    if not quotes(message, sent):
        return message
    return "a message that quotes the request (withheld)"


def answer_words(message: str | None, response: Any) -> str:
    """``error_words`` of an HTTP error answer (httpx's or requests' response), checked
    against the request that drew it."""
    return error_words(
        message,
        response.content,
        response.headers.get("content-type"),
        request_body(response.request),
    )


def shape(body: bytes | str, content_type: str | None, sent: object = None) -> str:
    """``body`` by its type, length and HTML title (unless the title quotes ``sent``)."""
    data = body.encode() if isinstance(body, str) else body
    if not data.strip():
        return "an empty body"
    kind = (content_type or "").split(";")[0].strip() or "untyped"
    described = f"a body of {len(data)} bytes ({kind})"
    found = _TITLE.search(data[:4096])
    if found:
        title = " ".join(found.group(1).decode(errors="replace").split())[:_TITLE_LIMIT]
        if title and not quotes(title, sent):
            described += f" titled {title!r}"
    return described


def quotes(text: str, sent: object) -> bool:
    """Whether ``text`` repeats a run of words of ``sent`` (the request's body)."""
    words = [w.lower() for w in _WORD.findall(text)]
    runs = {tuple(words[i : i + _RUN]) for i in range(len(words) - _RUN + 1)}
    if not runs:
        return False
    window: deque[str] = deque(maxlen=_RUN)
    for match in _WORD.finditer(_text_of(sent)):
        window.append(match.group().lower())
        if len(window) == _RUN and tuple(window) in runs:
            return True
    return False


def _text_of(sent: object) -> str:
    # JSON requests escape what is not ASCII ("\u2019"): read as JSON, their strings are
    # the words as written.
    if isinstance(sent, bytes | bytearray):
        sent = bytes(sent).decode(errors="ignore")
    if not isinstance(sent, str):
        return ""
    try:
        return " ".join(_strings(json.loads(sent)))
    except ValueError:
        return sent


_SPACE = re.compile(r"\s")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        # An ASCII value without a space holds no run of words a person said: a recording's
        # base64 (Claude's audio), whose 24 MB took 0.6 s of a worker's CPU to read word by
        # word. Japanese or Chinese is written without spaces, and is no base64: it is read
        # (isascii is a flag CPython keeps, not a scan).
        return [value] if not value.isascii() or _SPACE.search(value) else []
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def request_body(request: object) -> object:
    """The body a request carried, where the HTTP library kept it (httpx: ``content``,
    requests: ``body``); None for a streamed body not read into memory."""
    for name in ("content", "body"):
        with contextlib.suppress(Exception):  # httpx: RequestNotRead for a streamed body
            value = getattr(request, name, None)
            if value is not None:
                return value
    return None
