"""Recordings for the pages' players, answered in byte ranges.

Browsers ask an <audio> element's source for ranges (``Range: bytes=N-``) and seek only
within what they were given when the answer has no ranges: click-to-seek in the
transcript needs them. A voicemail is at most the upload limit (25 MB), so the object is
read whole and sliced.
"""

from __future__ import annotations

import re
from typing import Literal

from fastapi import Response

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# Digits of a position read as a number: more than any object has bytes. Python refuses to
# read a number of over 4,300 digits (a 500 for a Range header of 5,000 nines).
MAX_DIGITS = 18


def _position(text: str) -> int:
    """A position from the header; one too long to read stands for "beyond any end"."""
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS


def byte_range(header: str | None, size: int) -> tuple[int, int] | Literal[False] | None:
    """The inclusive (first, last) byte asked for; None for the whole object (no header,
    or one we do not serve, such as several ranges); False when it lies beyond the end."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if not found or not (found.group(1) or found.group(2)):
        return None
    first_text, last_text = found.groups()
    if not first_text:  # the last N bytes
        suffix = _position(last_text)
        if suffix == 0:
            return False
        return max(size - suffix, 0), size - 1
    first = _position(first_text)
    last = min(_position(last_text), size - 1) if last_text else size - 1
    if first >= size or first > last:
        return False
    return first, last


def media_response(
    data: bytes,
    media_type: str,
    range_header: str | None,
    extra: dict[str, str] | None = None,
    head: bool = False,
) -> Response:
    """The answer to GET (or, with ``head``, HEAD: the same headers, Content-Length the
    GET's, and no body) of ``data``, whole or in the range asked for."""
    size = len(data)
    wanted = byte_range(range_header, size)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, no-store", **(extra or {})}
    if wanted is False:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    status, body = 200, data
    if wanted is not None:
        first, last = wanted
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        status, body = 206, data[first : last + 1]
    if head:
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, status, media_type=media_type, headers=headers)
