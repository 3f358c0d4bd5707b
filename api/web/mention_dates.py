"""The calendar date a triage's day mention names, read against the moment the voicemail was
received in the deployment's time zone (``web.time_zone``): "monday 10:00" said on Friday
11 December is Monday 14 December. Only the inbox shows these; the triage keeps what was
said.

A mention that could name either of two days reads as ``?``, one that names no single day
("next week", "14:00") as nothing: a wrong date beside the caller's words is worse than none.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.language.dates import MONTHS, WEEKDAYS, shown_date
from shared.language.past_days import PAST_MARK, is_past

UNSURE = "?"

# Said after midnight, "tomorrow" is often the day that has just begun (the caller has not
# slept yet): before this hour it could be either day.
_SMALL_HOURS_END = 4
_SAME_DAY = ("today", "tonight", "this morning", "this afternoon", "this evening")
_NEXT_DAY = ("tomorrow", "first thing tomorrow")
_PARTS = ("morning", "afternoon", "evening", "night")
# What may follow the day in a mention: its time, a bound on it, or the part of the day.
_TIME_WORDS = {"after", "before", "between", "and", *_PARTS}
_CLOCK = re.compile(r"\d{2}:\d{2}")
_NTH = re.compile(r"the (\d{1,2})(?:st|nd|rd|th)")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
_MONTH_NUMBER = {name: i for i, name in enumerate(dict.fromkeys(MONTHS.values()), start=1)}


def resolve(mention: str, received: datetime, zone: ZoneInfo) -> date | str | None:
    """The date ``mention`` names (a triage's ``dates`` entry, one end of a range), ``?``
    where it could be either of two, or None where it names no single day."""
    local = received.astimezone(zone)
    mention = mention.strip().lower()
    if mention.endswith(PAST_MARK.strip()):
        return None  # told in the past ("we came in on monday"): not the coming one
    if is_past(mention):
        return _gone_by(mention, local.date())
    day, rest = _day_part(mention)
    if day is None or not all(w in _TIME_WORDS or _CLOCK.fullmatch(w) for w in rest):
        return None
    today = local.date()
    if day in _SAME_DAY:
        return today
    if day in _NEXT_DAY:
        return UNSURE if local.hour < _SMALL_HOURS_END else today + timedelta(days=1)
    if day == "day after tomorrow":
        return UNSURE if local.hour < _SMALL_HOURS_END else today + timedelta(days=2)
    return _named_day(day, today)


def _gone_by(mention: str, today: date) -> date | str | None:
    """ "last monday", "this past monday", "monday last week" (a time after it or not): a
    weekday gone by. None for any other mention, or one naming no single day."""
    words = mention.split()
    if words[:1] == ["last"]:
        kind, name, rest = "last", words[1:2], words[2:]
    elif words[:2] == ["this", "past"]:
        kind, name, rest = "past", words[2:3], words[3:]
    elif words[1:3] == ["last", "week"]:
        kind, name, rest = "week", words[:1], words[3:]
    else:
        return None
    if not name or name[0] not in WEEKDAYS:
        return None
    if not all(w in _TIME_WORDS or _CLOCK.fullmatch(w) for w in rest):
        return UNSURE
    weekday = WEEKDAYS.index(name[0])
    # "Last Monday" and "this past Monday" are the latest Monday before the call: said on
    # Friday, the one four days before, as callers chasing a repair mean it.
    return _in_last_week(weekday, today) if kind == "week" else _previous(weekday, today)


def _previous(weekday: int, today: date) -> date:
    """The latest such weekday before today."""
    return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)


def _week_start(day: date, sunday: bool) -> date:
    return day - timedelta(days=(day.weekday() + 1) % 7 if sunday else day.weekday())


def _in_last_week(weekday: int, today: date) -> date | str:
    """ "Monday last week": that weekday in the week before this one, where weeks that
    start on Monday and on Sunday give the same day."""
    days = {
        _week_start(today, s) - timedelta(days=7) + timedelta(days=(weekday + s) % 7)
        for s in (False, True)
    }
    return days.pop() if len(days) == 1 else UNSURE


def _day_part(mention: str) -> tuple[str | None, list[str]]:
    """The mention's day and the words after it (its time), or None for no day."""
    words = mention.split()
    for size in (4, 3, 2, 1):
        head = " ".join(words[:size])
        if head in _SAME_DAY or head in _NEXT_DAY or head == "day after tomorrow":
            return head, words[size:]
        if head.startswith("tomorrow ") and words[1] in _PARTS:
            return "tomorrow", words[size:]
    if len(words) >= 3 and words[0] in WEEKDAYS and _NTH.fullmatch(" ".join(words[1:3])):
        return " ".join(words[:3]), words[3:]  # "thursday the 18th"
    if len(words) >= 4 and words[:3] == ["a", "week", "from"] and words[3] in WEEKDAYS:
        return " ".join(words[:4]), words[4:]
    if len(words) >= 2 and words[0] == "next" and words[1] in WEEKDAYS:
        return " ".join(words[:2]), words[2:]
    if words and words[0] in WEEKDAYS:
        return words[0], words[1:]
    if len(words) >= 2 and _NTH.fullmatch(" ".join(words[:2])):
        return " ".join(words[:2]), words[2:]
    if len(words) >= 2 and words[0] in _MONTH_NUMBER and words[1].isdigit():
        # "december 12 2026": a date written with its year ("12/12/2026") keeps it.
        size = 3 if len(words) >= 3 and _YEAR.fullmatch(words[2]) else 2
        return " ".join(words[:size]), words[size:]
    if words and _ISO.fullmatch(words[0]):
        return words[0], words[1:]
    return None, words


def _named_day(day: str, today: date) -> date | str | None:
    words = day.split()
    nth = _NTH.search(day)
    if words[0] in WEEKDAYS and nth:
        return _weekday_and_nth(WEEKDAYS.index(words[0]), int(nth[1]), today)
    if words[0] in WEEKDAYS:
        return _coming(WEEKDAYS.index(words[0]), today)
    if words[0] == "next":
        return _next_weekday(WEEKDAYS.index(words[1]), today)
    if words[0] == "a":  # "a week from monday"
        coming = _coming(WEEKDAYS.index(words[3]), today)
        return coming if isinstance(coming, str) else coming + timedelta(days=7)
    if nth:
        return _nearest(today, [_on(today.year, today.month + k, int(nth[1])) for k in (-1, 0, 1)])
    iso = _ISO.fullmatch(day)
    if iso:
        return _exactly(int(iso[1]), int(iso[2]), int(iso[3]))
    month, number = _MONTH_NUMBER[words[0]], int(words[1])
    if len(words) == 3:
        return _exactly(int(words[2]), month, number)
    return _nearest(today, [_on(today.year + k, month, number) for k in (-1, 0, 1)])


def _exactly(year: int, month: int, day: int) -> date | None:
    """A date given whole, or None where the calendar has none: no month is carried into
    the year, so a model's "2026-00-10" names no day rather than 10 December 2025."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _on(year: int, month: int, day: int) -> date | None:
    """The date, months past December or before January carried into the year; None
    for one the calendar has not (the 31st of a short month)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest(today: date, candidates: list[date | None]) -> date | str | None:
    """A day of the month, or of the year, without the rest: the nearest such day when it is
    today or still to come. One nearer in the past (or as near) may be the day the caller
    speaks of ("I paid on the 5th") or the next one: either, so ``?``."""
    real = [c for c in candidates if c is not None]
    if not real:
        return None
    ahead = [c for c in real if c >= today]
    behind = [c for c in real if c < today]
    if not ahead:
        return UNSURE
    first = min(ahead)
    if behind and today - max(behind) <= first - today:
        return UNSURE
    return first


def _coming(weekday: int, today: date) -> date | str:
    """A weekday said alone is the coming one; said on that weekday it could be today or a
    week on."""
    days = (weekday - today.weekday()) % 7
    return UNSURE if days == 0 else today + timedelta(days=days)


def _next_weekday(weekday: int, today: date) -> date | str:
    """ "Next Tuesday" is the coming Tuesday to some, the one in the week after this to
    others: a date only where the two agree, that is where the coming one is in next week
    whether weeks start on Monday or on Sunday."""
    days = (weekday - today.weekday()) % 7 or 7
    coming = today + timedelta(days=days)
    monday_weeks = coming.isocalendar()[:2] != today.isocalendar()[:2]
    sunday = (today.weekday() + 1) % 7  # days since Sunday
    sunday_weeks = days > 6 - sunday
    return coming if monday_weeks and sunday_weeks else UNSURE


def _weekday_and_nth(weekday: int, number: int, today: date) -> date | str:
    """ "Thursday the 18th": the first 18th from today on that is a Thursday, within two
    months; none that is makes the two disagree."""
    for k in (0, 1, 2):
        found = _on(today.year, today.month + k, number)
        if found is not None and found >= today and found.weekday() == weekday:
            return found
    return UNSURE


def shown(value: date, received: datetime, zone: ZoneInfo) -> str:
    """ "Mon 14 Dec", with the year when it is not the year the voicemail was received in."""
    text = f"{value:%a} {value.day} {value:%b}"
    return text if value.year == received.astimezone(zone).year else f"{text} {value.year}"


def with_dates(mentions: list[str] | None, received: datetime, zone: ZoneInfo) -> str:
    """A triage's dates as the voicemail page shows them: each as a person writes it, its
    date beside it, "Monday at 10:00 (Mon 14 Dec)"; each end of a range dated alone."""
    if not mentions:
        return "\u2013"
    return ", ".join(
        shown_date(mention)  # a range told in the past: neither end is to come
        if mention.endswith(PAST_MARK)
        else " to ".join(_dated(part, received, zone) for part in mention.split(" to "))
        for mention in mentions
    )


def _dated(mention: str, received: datetime, zone: ZoneInfo) -> str:
    found = resolve(mention, received, zone)
    said = shown_date(mention)
    if found is None:
        return said
    return f"{said} ({found if isinstance(found, str) else shown(found, received, zone)})"
