"""What a field's validation error says to a person: pydantic's words, where they say
something one can act on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.inbox import CURSOR_PATTERN as INBOX_CURSOR_PATTERN
from shared.keyset_paging import CURSOR_PATTERN


def _not_a_cursor(value: str, given_by: str = "the next_cursor the previous page") -> str:
    given = "it is empty" if not value else f"{value!r} is not one"
    return (
        f"not a cursor ({given}): a cursor marks where a page starts, and is {given_by} of "
        "this listing answered; send it as given, or leave cursor out for the first page"
    )


def _not_an_inbox_cursor(value: str) -> str:
    return _not_a_cursor(value, "the next_cursor or prev_cursor a page")


# Patterns whose regex, shown as pydantic shows it, says nothing a person can act on: said
# in words instead.
_PATTERNS: dict[str, Callable[[str], str]] = {
    CURSOR_PATTERN: _not_a_cursor,
    INBOX_CURSOR_PATTERN: _not_an_inbox_cursor,
}


def problem_text(error: Mapping[str, Any]) -> str:
    """What a field's validation error says to a client: pydantic's words, but for a number
    that is none (NaN) or endless. NaN fails every bound it is compared with, so a field
    with bounds called it too large ("less than or equal to 1"); such fields refuse NaN and
    infinities first (``allow_inf_nan=False``), said here in plain words; and a value that
    does not match a pattern of ``_PATTERNS``, said in its words, not the regex's."""
    if error.get("type") == "string_pattern_mismatch":
        described = _PATTERNS.get(str((error.get("ctx") or {}).get("pattern")))
        if described is not None:
            return described(str(error.get("input")))
    if error.get("type") != "finite_number":
        return str(error.get("msg", "invalid"))
    shown = str(error.get("input"))
    if shown.strip().lower() in {"nan", "+nan", "-nan"}:
        return f"{shown!r} is not a number"
    return f"{shown!r} is not a finite number"
