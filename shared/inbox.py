"""The review inbox: a tenant's jobs, newest first, filtered and paged, fast at 10,000 jobs.

The rows are the compact ones of ``shared.inbox_rows`` (written with every record change and
every review, never drifting from them). A filtered query walks the tenant's creation-ordered
index on the server (``shared.inbox_lua``), a slice of ``SLICE`` jobs per script call, and
keeps the ids whose facets (and overlay of corrections) pass the filter, reading the search
text only of those: nothing is decoded, only matching ids travel, and no call holds the
server for longer than one slice takes (~4 ms). The page's rows alone are then read and
decoded. ``total`` counts every match, so a filtered query walks the whole index; without a
filter a page is a range of the index (one ZREVRANGE).

Cursors are keyset positions (``after:`` or ``before:`` a job's creation time and id), so a
page stays where it was while new jobs arrive on top.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

import redis
from pydantic import BaseModel

from shared.inbox_lua import BACKFILL, FILTER
from shared.inbox_rows import (
    OVERLAY_FACETS,
    inbox_key,
    legacy_needle,
    machine_keys,
    machine_row,
    needle,
    overlay_key,
    record_key,
    row_document,
    rows_key,
    settled_reasons,
    text_key,
)
from shared.models import Job
from shared.redis_keys import key

# Jobs one script call looks at: a few milliseconds of the server at most.
SLICE = 2000
CURSOR_PATTERN = (
    r"^(after|before):-?[0-9]{1,20}(\.[0-9]{1,20})?(e[+-]?[0-9]{1,3})?:[A-Za-z0-9_.-]{1,128}$"
)
_CURSOR = re.compile(CURSOR_PATTERN)


class InboxFilter(BaseModel):
    """Every field optional; the ones given must all hold (intent and urgency as corrected)."""

    intent: str | None = None
    urgency: Literal["low", "normal", "high"] | None = None
    needs_review: bool | None = None
    status: str | None = None
    batch_id: str | None = None
    # Substring of the transcript, caller, number or summary (machine's or corrected),
    # Unicode normalised and without regard to case or accents (``inbox_rows.fold``); a
    # number may be typed with spaces or dashes.
    text: str | None = None
    # Marked done by a person (the latest review's ``done``).
    reviewed: bool | None = None


class InboxRow(BaseModel):
    job_id: str
    created_at: datetime
    status: str
    batch_id: str | None
    caller_name: str | None
    callback_number: str | None
    intent: str | None
    urgency: str | None
    summary: str | None
    duration_s: float
    needs_review: bool | None
    review_reasons: list[str]
    # Those of review_reasons a person's correction has settled (inbox_rows.SETTLED_BY).
    settled_reasons: list[str] = []
    reviewed: bool
    input_kind: str

    @property
    def open_reasons(self) -> list[str]:
        """The machine's review reasons no correction has settled yet."""
        return [r for r in self.review_reasons if r not in self.settled_reasons]


class InboxPage(BaseModel):
    rows: list[InboxRow]
    total: int
    # How many matching jobs come before the page's first row: known from the same scan
    # that counts ``total``, so a page can say which rows of it it shows.
    offset: int = 0
    next_cursor: str | None
    prev_cursor: str | None


class BadCursor(ValueError):
    """A cursor this module did not make (a route answers it with a 400 or a 422)."""


Match = tuple[float, str]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _index_key(tenant: str) -> str:
    # The job store's creation-ordered index of the tenant's jobs (shared.jobstore).
    return key("jobs", tenant)


def _wanted(flt: InboxFilter) -> list[str]:
    """The filter as the script reads it: "" for any."""
    text = needle(flt.text) if flt.text else ""
    older = legacy_needle(flt.text) if flt.text else ""
    return [
        flt.status or "",
        flt.intent or "",
        flt.urgency or "",
        _flag(flt.needs_review),
        flt.batch_id or "",
        text,
        _flag(flt.reviewed),
        "" if older == text else older,
    ]


def _matches(client: redis.Redis, tenant: str, wanted: list[str]) -> tuple[list[Match], list[str]]:
    script = client.register_script(FILTER)
    keys = [_index_key(tenant), inbox_key(tenant), text_key(tenant), overlay_key(tenant)]
    found: list[Match] = []
    missing: list[str] = []
    last_id, last_score = "", ""
    while True:
        ids, scores, absent, last_id, last_score, n = map(
            _text, script(keys=keys, args=[last_id, last_score, SLICE, *wanted])
        )
        if ids:
            found += zip(map(float, scores.split(" ")), ids.split(" "), strict=True)
        if absent:
            missing += absent.split(" ")
        if int(n) < SLICE:
            return found, missing


def _backfill(client: redis.Redis, tenant: str, job_ids: list[str]) -> None:
    script = client.register_script(BACKFILL)
    raws = client.mget([record_key(i) for i in job_ids])
    for job_id, raw in zip(job_ids, raws, strict=True):
        if raw is not None:
            parts = machine_row(Job.model_validate_json(raw)).parts
            script(keys=[record_key(job_id), *machine_keys(tenant)], args=[job_id, *parts])


def _parse_cursor(cursor: str) -> tuple[str, float, str]:
    if not _CURSOR.fullmatch(cursor):
        raise BadCursor(f"{cursor!r} is not a cursor of this inbox: use next_cursor or prev_cursor")
    direction, score, job_id = cursor.split(":")
    return direction, float(score), job_id


def _older(match: Match, score: float, job_id: str) -> bool:
    # The index's order: newest first, and among equal times the greater id first.
    return match[0] < score or (match[0] == score and match[1] < job_id)


def _window(matches: list[Match], limit: int, cursor: str | None) -> tuple[int, str | None]:
    """Where the page starts, and the previous page's cursor when the page is empty."""
    if cursor is None:
        return 0, None
    direction, score, job_id = _parse_cursor(cursor)
    if direction == "after":
        start = next((i for i, m in enumerate(matches) if _older(m, score, job_id)), len(matches))
        return start, f"before:{score!r}:{job_id}"
    end = next(
        (i for i, m in enumerate(matches) if m[1] == job_id or _older(m, score, job_id)),
        len(matches),
    )
    return max(0, end - limit) if end > limit else 0, None


def _newest(
    client: redis.Redis, tenant: str, limit: int, cursor: str | None
) -> tuple[int, int, list[Match], str | None]:
    """Without a filter, a page is a range of the index itself: its size, where the page
    starts, the page, and the previous page's cursor when the page is empty."""
    index = _index_key(tenant)
    total = int(client.zcard(index))
    start, empty_prev = 0, None
    if cursor is not None:
        direction, score, job_id = _parse_cursor(cursor)
        rank = client.zrevrank(index, job_id)
        found = isinstance(rank, int)
        # A cursor whose job was deleted since: the jobs newer than its time come before.
        at = rank if isinstance(rank, int) else int(client.zcount(index, f"({score!r}", "+inf"))
        if direction == "after":
            start = at + 1 if found else at
            empty_prev = f"before:{score!r}:{job_id}"
        else:
            start = at - limit if at > limit else 0
    raw = client.zrevrange(index, start, start + limit - 1, withscores=True)
    page = [(float(pair[1]), _text(pair[0])) for pair in raw]
    return total, start, page, empty_prev


def _rows(client: redis.Redis, tenant: str, ids: list[str]) -> list[InboxRow]:
    if not ids:
        return []
    pipe = client.pipeline(transaction=False)
    pipe.hmget(rows_key(tenant), ids)
    pipe.hmget(overlay_key(tenant), ids)
    machine, overlays = pipe.execute()
    if any(raw is None for raw in machine):
        # A job stored before the inbox existed gets its row now (a deleted one stays gone).
        _backfill(client, tenant, [i for i, raw in zip(ids, machine, strict=True) if raw is None])
        machine = client.hmget(rows_key(tenant), ids)
    rows = []
    for raw, over in zip(machine, overlays, strict=True):
        if raw is None:
            continue  # deleted since the scan
        document: dict[str, Any] = json.loads(raw)
        document["reviewed"] = False
        if over is not None:
            overlay = row_document(_text(over), len(OVERLAY_FACETS))
            document.update(overlay["corrected"])
            document["reviewed"] = overlay["reviewed"]
            # An overlay written before it named its fields: those shown (all but the
            # transcript) until the job's next review rewrites it.
            fields = overlay.get("corrected_fields")
            if fields is None:
                fields = [f for f, v in overlay["corrected"].items() if v]
            document["settled_reasons"] = settled_reasons(document["review_reasons"], fields)
        rows.append(InboxRow.model_validate(document))
    return rows


def _cursor(direction: str, match: Match) -> str:
    return f"{direction}:{match[0]!r}:{match[1]}"


def query_inbox(
    client: redis.Redis,
    tenant: str,
    flt: InboxFilter,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> InboxPage:
    """One page of the tenant's inbox, newest first; raises ``BadCursor`` for a cursor
    that is not one a page gave."""
    if limit < 1:
        raise ValueError(f"a page has at least one row, not {limit}")
    if cursor is not None:
        _parse_cursor(cursor)
    wanted = _wanted(flt)
    if any(wanted):
        matches, missing = _matches(client, tenant, wanted)
        if missing:
            # Jobs stored before the inbox existed get their row once, and are counted now.
            _backfill(client, tenant, missing)
            matches, _ = _matches(client, tenant, wanted)
        start, empty_prev = _window(matches, limit, cursor)
        total, page = len(matches), matches[start : start + limit]
    else:
        total, start, page, empty_prev = _newest(client, tenant, limit, cursor)
    rows = _rows(client, tenant, [job_id for _, job_id in page])
    prev_cursor = _cursor("before", page[0]) if page and start > 0 else None
    return InboxPage(
        rows=rows,
        total=total,
        offset=min(start, total),
        next_cursor=_cursor("after", page[-1]) if start + limit < total else None,
        prev_cursor=prev_cursor if page else (empty_prev if start > 0 else None),
    )


def next_after(client: redis.Redis, tenant: str, flt: InboxFilter, job_id: str) -> str | None:
    """The voicemail after ``job_id`` in the inbox ``flt`` filters (the next older one that
    matches), or None at its end or for a job not in the tenant's index. The job itself
    need not match any more: the one just marked reviewed in a list of unreviewed ones
    still has its place, the keyset cursor's."""
    score = client.zscore(_index_key(tenant), job_id)
    if score is None:
        return None
    page = query_inbox(client, tenant, flt, limit=1, cursor=_cursor("after", (score, job_id)))
    return page.rows[0].job_id if page.rows else None
