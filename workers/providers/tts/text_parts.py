"""Text cut into pieces a speech vendor takes in one request, at the best boundaries."""

from __future__ import annotations

import re

# Boundaries to split at, best first: sentence ends (also before a closing quote or
# bracket) and paragraph breaks, then clause punctuation, then any space between words.
_BREAKS: tuple[re.Pattern[str], ...] = (
    # \u2026 ellipsis, \u201d \u2019 closing quotes, \u2013 \u2014 dashes.
    re.compile(r"(?<=[.!?\u2026])\s+|(?<=[.!?\u2026][\"'\u201d\u2019)\]])\s+|\n\s*\n"),
    re.compile(r"(?<=[,;:\u2013\u2014])\s+"),
    re.compile(r"\s+"),
)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` as consecutive pieces of at most ``limit`` characters, cut at the best
    boundary available: sentences are kept whole when they fit, words always are."""
    return _split(text.strip(), limit, 0)


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text] if text else []
    if level == len(_BREAKS):
        # A single "word" longer than a request (a pasted URL or hash): no boundary exists.
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pieces = [
        piece
        for part in _BREAKS[level].split(text)
        for piece in _split(part.strip(), limit, level + 1)
    ]
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= limit:
            chunks[-1] = f"{chunks[-1]} {piece}"
        else:
            chunks.append(piece)
    return chunks
