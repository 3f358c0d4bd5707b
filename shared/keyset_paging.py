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

# KEYS: the sorted set. ARGV: the cursor's creation time, its id ('' for a time alone), how
# many to skip after it, a page size. The page starts past every member the cursor's
# position is not before: those created later, and of those created at that very time, the
# ids ZREVRANGE puts first (at or above the cursor's id; all of them for a time alone). Its
# rank is counted and the page read in one step, so a member made between the two cannot
# shift it, and the skip costs no transfer of what it skips.
AFTER = """
local skip = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
if ARGV[2] == '' then
    skip = skip + redis.call('ZCOUNT', KEYS[1], ARGV[1], ARGV[1])
else
    for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])) do
        if member >= ARGV[2] then skip = skip + 1 end
    end
end
local first = skip + tonumber(ARGV[3])
return redis.call('ZREVRANGE', KEYS[1], first, first + tonumber(ARGV[4]) - 1, 'WITHSCORES')
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
    after: Script,
    index: str,
    limit: int,
    before: float | None,
    before_id: str | None,
    skip: int = 0,
) -> tuple[list[str], Position | None]:
    """Up to ``limit`` ids of ``index`` (``after`` is AFTER, registered), newest first,
    from the position (``before``, ``before_id``) on and ``skip`` past it, in the index's
    order (equal times by id, descending); with ``before`` alone, those created before it.
    The next page's position (the last one's time and id) when the page is full, else None.
    From the index, not the records: a record gone after it was listed must not end the
    paging early."""
    # No cursor: from the newest ('+inf', nothing at it to step past).
    score = "+inf" if before is None else repr(before)
    flat: list[bytes | str] = after(keys=[index], args=[score, before_id or "", skip, limit])
    found = [(_text(i), float(at)) for i, at in zip(flat[::2], flat[1::2], strict=True)]
    ids = [i for i, _ in found]
    return ids, (found[-1][1], found[-1][0]) if found and len(found) == limit else None
