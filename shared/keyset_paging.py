"""Keyset paging of a sorted set scored by creation time, newest first.

``GET /v1/jobs`` and ``GET /v1/batches`` page so: a page starts after the position (creation
time, id) its cursor names, not at an offset, so that records created or deleted while a
client pages do not shift the pages (by offset, a job created meanwhile pushed the page's
last job onto the next page, listed twice, and one deleted pulled a job back, never listed).
"""

from __future__ import annotations

from redis.commands.core import Script

# A creation time and an id, as ``cursor_of`` gives them; or a creation time alone.
CURSOR_PATTERN = r"^-?[0-9]{1,20}(\.[0-9]{1,20})?(e[+-]?[0-9]{1,2})?(:[A-Za-z0-9_.-]{1,128})?$"

# KEYS: the sorted set. ARGV: the highest score (as ZREVRANGEBYSCORE takes it), a page size.
# The page from that score down, with every member at exactly that score on top of it, in
# one read: the caller drops the ties at or above the cursor's id (a member with the same
# creation time comes after the cursor only when its id is lower), and what is left still
# fills the page. An exclusive score or '+inf' has no ties.
AFTER = """
local ties = redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1])
return redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'WITHSCORES', 'LIMIT', 0,
    tonumber(ARGV[2]) + ties)
"""

Position = tuple[float, str]


def parse_cursor(cursor: str | None) -> tuple[float | None, str | None]:
    """(creation time, id) of a cursor matching CURSOR_PATTERN; Nones for no cursor."""
    if cursor is None:
        return None, None
    at, _, member = cursor.partition(":")
    return float(at), member or None


def cursor_of(position: Position | None) -> str | None:
    return None if position is None else f"{position[0]!r}:{position[1]}"


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def newest_first(
    after: Script, index: str, limit: int, before: float | None, before_id: str | None
) -> tuple[list[str], Position | None]:
    """Up to ``limit`` ids of ``index`` (``after`` is AFTER, registered), newest first,
    from the position (``before``, ``before_id``) on, in the index's order (equal times by
    id, descending); with ``before`` alone, those created before it. The next page's position
    (the last one's time and id) when the page is full, else None. From the index, not the
    records: a record gone after it was listed must not end the paging early."""
    top = "+inf" if before is None else repr(before) if before_id else f"({before!r}"
    flat: list[bytes | str] = after(keys=[index], args=[top, limit])
    found = [(_text(i), float(at)) for i, at in zip(flat[::2], flat[1::2], strict=True)]
    if before is not None and before_id is not None:
        found = [r for r in found if r[1] < before or r[0] < before_id][:limit]
    ids = [i for i, _ in found]
    return ids, (found[-1][1], found[-1][0]) if found and len(found) == limit else None
