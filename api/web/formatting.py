"""How values read on the pages: Jinja filters, each plain text (autoescaped by Jinja)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

import phonenumbers
from jinja2 import pass_context
from jinja2.runtime import Context

from shared.language.dates import shown_date

# What a missing value reads as.
NONE = "\u2013"


@pass_context
def when(context: Context, value: datetime | None) -> str:
    """A moment to the minute in the deployment's zone (``web.time_zone``, the page's
    ``zone``), with its abbreviation: one clock on every page, the one the dates beside a
    caller's mentions are counted in."""
    return _in_zone(value, context.get("zone"), "%Y-%m-%d %H:%M %Z")


@pass_context
def when_exact(context: Context, value: datetime | None) -> str:
    return _in_zone(value, context.get("zone"), "%Y-%m-%d %H:%M:%S %Z")


def _in_zone(value: datetime | None, zone: tzinfo | None, pattern: str) -> str:
    if value is None:
        return NONE
    return value.astimezone(zone or UTC).strftime(pattern)


def iso(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def clock(seconds: float | None) -> str:
    """A length as m:ss (a voicemail is minutes at most)."""
    if seconds is None:
        return NONE
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def secs(value: float | None, digits: int = 2) -> str:
    if value is None:
        return NONE
    return f"{value:.{digits}f} s"


def percent(value: float | None) -> str:
    return NONE if value is None else f"{value * 100:.1f} %"


def phone(number: str | None) -> str:
    """An E.164 number written for people (+1 713-555-0123); anything else as it came."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def redaction_token(value: object) -> bool:
    """Whether a value is a redaction's token (``[PHONE_NUMBER]``): shown as it is, never
    dialled or copied as if it were the value."""
    from shared.redaction.detect import is_token  # at first use: the detectors are heavy

    return is_token(value)


def words(code: str | None) -> str:
    """A code as words: ``no_callback_number`` → ``no callback number``."""
    return "" if not code else code.replace("_", " ").replace(".", " ")


def dates(values: list[str] | None) -> str:
    """A triage's dates as a person reads them ("next Tuesday at 15:30, December 12")."""
    return ", ".join(shown_date(value) for value in values) if values else NONE


def number(value: float | None, digits: int = 1) -> str:
    return NONE if value is None else f"{value:.{digits}f}"


FILTERS: dict[str, Callable[..., Any]] = {
    "when": when,
    "when_exact": when_exact,
    "iso": iso,
    "clock": clock,
    "secs": secs,
    "percent": percent,
    "phone": phone,
    "words": words,
    "dates": dates,
    "number": number,
}

TESTS: dict[str, Callable[..., bool]] = {"redaction_token": redaction_token}
