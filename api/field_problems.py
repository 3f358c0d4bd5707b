"""What a field's validation error says to a person: pydantic's words, where they say
something one can act on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.inbox import CURSOR_PATTERN as INBOX_CURSOR_PATTERN
from shared.keyset_paging import CURSOR_PATTERN
from shared.models import THREAD_PATTERN
from shared.redaction_policy import ENTITY_LIST_PATTERN, Entity

# Some text besides spaces and line breaks (a reviewed transcript).
NOT_BLANK_PATTERN = r"\S"
_THREAD_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_.:@-"
)


_THREAD_ID_IS = (
    "; a thread id is letters, digits and + _ . : @ - only, up to 128 of them "
    "(a caller's number such as +15551234567, or your own conversation id), the same "
    "for every voicemail of one conversation"
)


def _not_a_cursor(value: str, given_by: str = "the next_cursor the previous page") -> str:
    given = "it is empty" if not value else f"{value!r} is not one"
    return (
        f"not a cursor ({given}): a cursor marks where a page starts, and is {given_by} of "
        "this listing answered; send it as given, or leave cursor out for the first page"
    )


def _not_an_inbox_cursor(value: str) -> str:
    return _not_a_cursor(value, "the next_cursor or prev_cursor a page")


def _not_a_thread_id(value: str) -> str:
    odd = ", ".join(repr(c) for c in dict.fromkeys(value) if c not in _THREAD_CHARACTERS)
    given = "it is empty" if not value else f"{value!r} is not a thread id: {odd} cannot be in one"
    return given + _THREAD_ID_IS


def _too_long_thread_id(value: str) -> str:
    return f"it is {len(value)} characters long" + _THREAD_ID_IS


def _not_entities(value: str) -> str:
    # 'all' and 'none' among names, or an empty name (',,'), are wrong in the list's form.
    known = {*Entity, "all", "none", ""}
    unknown = [repr(n) for n in (name.strip() for name in value.split(",")) if n not in known]
    given = f"VoicePipe does not redact {', '.join(unknown)}" if unknown else f"{value!r} is not"
    if not unknown:
        given += " a list of what to redact"
    return (
        f"{given}: send 'all' or 'none' alone, or one or more of "
        f"{', '.join(Entity)} separated by commas"
    )


def _blank(value: str) -> str:
    return "it holds only spaces or line breaks: send the text itself, or leave the field out"


# Patterns whose regex, shown as pydantic shows it, says nothing a person can act on: said
# in words instead.
_PATTERNS: dict[str, Callable[[str], str]] = {
    CURSOR_PATTERN: _not_a_cursor,
    INBOX_CURSOR_PATTERN: _not_an_inbox_cursor,
    THREAD_PATTERN: _not_a_thread_id,
    ENTITY_LIST_PATTERN: _not_entities,
    NOT_BLANK_PATTERN: _blank,
}


def problem_text(error: Mapping[str, Any]) -> str:
    """What a field's validation error says to a client: pydantic's words, but for a number
    that is none (NaN) or endless. NaN fails every bound it is compared with, so a field
    with bounds called it too large ("less than or equal to 1"); such fields refuse NaN and
    infinities first (``allow_inf_nan=False``), said here in plain words; and a value that
    does not match a pattern of ``_PATTERNS``, said in its words, not the regex's; and a
    thread id too long, said with what a thread id is (pydantic's words name only the
    limit); and a validator's own refusal without pydantic's "Value error, " prefix."""
    loc = tuple(error.get("loc") or ())
    if error.get("type") == "string_too_long" and loc[-1:] == ("thread_id",):
        return _too_long_thread_id(str(error.get("input")))
    if error.get("type") == "string_pattern_mismatch":
        described = _PATTERNS.get(str((error.get("ctx") or {}).get("pattern")))
        if described is not None:
            return described(str(error.get("input")))
    if error.get("type") == "value_error":
        # Our own validators' words, without pydantic's "Value error, " before them.
        return str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if error.get("type") != "finite_number":
        return str(error.get("msg", "invalid"))
    shown = str(error.get("input"))
    if shown.strip().lower() in {"nan", "+nan", "-nan"}:
        return f"{shown!r} is not a number"
    return f"{shown!r} is not a finite number"
