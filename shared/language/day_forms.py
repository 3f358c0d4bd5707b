"""Days said in forms the words of shared.language.dates do not cover: written in digits
("12/12", "12/12/2026"), counted from the call ("in two weeks"), or a part of a day of the
month ("the morning of the 14th")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.language.numbers import ordinal, say_int, spoken_int
from shared.language.past_days import PAST_MARK

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")  # fmt: skip
MONTHS = {name: name for name in MONTH_NAMES} | {
    name[:3]: name for name in MONTH_NAMES if name != "may"
} | {"sept": "september"}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PARTS = ("morning", "afternoon", "evening", "night")
# After "3/4" or "1/2", a measure of something, not a day: "a 3/4 inch valve", "3/4 full",
# "1/2 an hour", "3/4 of the radiators". Not "in": "on 12/12 in the morning".
_MEASURED = {"of", "an", "a", "inch", "inches", "foot", "feet", "ft", "mile", "miles", "mm",
             "cm", "hour", "hours", "cup", "cups", "pound", "pounds", "lb", "lbs", "kg",
             "gallon", "gallons", "litre", "litres", "liter", "liters", "full", "empty",
             "price", "off", "done", "way", "size", "pipe", "turn", "tank"}  # fmt: skip
# A fraction's denominators: "6/14 a morning slot", "12/11 a week ago" are days.
_PARTS_OF = {2, 3, 4, 8, 16}
# Regions that write the month first ("12/24"); the rest of the world writes the day first.
_MONTH_FIRST = {"US", "PH", "FM", "MH", "PW", "GU", "AS", "MP", "PR", "VI"}
_UNITS = {"day", "days", "week", "weeks", "month", "months", "fortnight"}
# "In a few days", "in a couple of weeks": counts said without a number.
_FEW = (("a", "couple", "of"), ("a", "few"), ("a",), ("an",), ("couple", "of"), ("few",))
# Before the count, within a few words, a count of time gone by: "the tracking hasn't moved
# in six days", "nobody has collected it in a month", "four tutors in six weeks".
_GONE_BY = {"hasn't", "haven't", "hadn't", "hasnt", "havent", "not", "no", "nobody", "never",
            "nothing", "lost", "gained", "had", "been", "since", "took",
            "taken", "was", "were", "did", "didn't"}  # fmt: skip
_LOOK_BACK = 6
# After the count, a past ("two weeks ago") or a length ("in two days flat") is no day to come.
_NOT_AHEAD = {"ago", "flat", "running", "straight", "later", "earlier"}


def _a_fraction(top: int, bottom: int) -> bool:
    return top < bottom and bottom in _PARTS_OF


def written_date(
    words: Sequence[str], slashed: frozenset[int], i: int, region: str
) -> tuple[str, int] | None:
    """ "12/12" or "12/12/2026" at ``words[i]``: the day and month in the region's order
    (a first number past 12 is a day wherever it is written), and the year where given."""
    if i + 1 not in slashed or not (words[i].isdigit() and words[i + 1].isdigit()):
        return None
    if (words[i], words[i + 1]) == ("24", "7"):
        return None  # "24/7": round the clock
    first, second = int(words[i]), int(words[i + 1])
    month, day = (first, second) if region.upper() in _MONTH_FIRST else (second, first)
    if month > 12:
        month, day = day, month
    if not (1 <= month <= 12 and 1 <= day <= 31) or len(words[i]) > 2 or len(words[i + 1]) > 2:
        return None
    year = words[i + 2] if i + 2 in slashed and i + 2 < len(words) else ""
    if len(year) == 4 and year.isdigit():
        return f"{MONTH_NAMES[month - 1]} {day} {year}", i + 3
    if year:
        return None  # "40/50/60": a ratio, no date
    if words[i + 2 : i + 3] and words[i + 2] in _MEASURED and _a_fraction(first, second):
        return None
    return f"{MONTH_NAMES[month - 1]} {day}", i + 2


def counted_day(words: Sequence[str], i: int) -> tuple[str, int] | None:
    """ "In two weeks", "in a few days", "in 3 months' time": a day counted from the call,
    the count in words ("in two weeks", as the voice says it)."""
    if words[i] != "in" or _GONE_BY & set(words[max(0, i - _LOOK_BACK) : i]):
        return None
    j = i + 1
    count = spoken_int(words, j)
    if count is not None:
        said, j = say_int(count[0]), j + count[1]
        if words[j : j + 1] == ["or"] and (other := spoken_int(words, j + 1)) is not None:
            said, j = f"{said} or {say_int(other[0])}", j + 1 + other[1]  # "two or three"
    else:
        few = next((f for f in _FEW if tuple(words[j : j + len(f)]) == f), None)
        if few is None:
            return None
        said, j = " ".join(few), j + len(few)
    if j >= len(words) or words[j] not in _UNITS:
        return None
    unit, j = words[j], j + 1
    if j < len(words) and words[j] in _NOT_AHEAD:
        return None
    if words[j : j + 1] == ["or"] and (other := spoken_int(words, j + 1)) is not None:
        unit += f" or {say_int(other[0])}"  # "in a week or two"
        j += 1 + other[1]
    if words[j : j + 1] == ["time"]:
        j += 1  # "in two weeks' time"
    return f"in {said} {unit}", j


def part_of_a_day(words: Sequence[str], i: int) -> tuple[str, int] | None:
    """ "(The) morning of the 14th", "the evening of March 5th", "the morning of Friday"
    ("friday morning")."""
    j = i + 1 if words[i] == "the" else i
    if j + 2 >= len(words) or words[j] not in PARTS or words[j + 1] != "of":
        return None
    part, k = words[j], j + 2
    if words[k] in WEEKDAYS:
        return f"{words[k]} {part}", k + 1
    if words[k] in MONTHS:
        month = MONTHS[words[k]]
        m = k + 2 if words[k + 1 : k + 2] == ["the"] else k + 1
        day = ordinal(words, m) or spoken_int(words, m)
        if day is not None and 1 <= day[0] <= 31:
            return f"the {part} of {month} {day[0]}", m + day[1]
        return None
    m = k + 1 if words[k] == "the" else k
    day = ordinal(words, m)
    if day is None or not 1 <= day[0] <= 31:
        return None
    end = m + day[1]
    end += 1 if words[end : end + 1] == ["of"] else 0
    if end < len(words) and words[end] in MONTHS:
        return f"the {part} of {MONTHS[words[end]]} {day[0]}", end + 1
    return f"the {part} of the {nth(day[0])}", m + day[1]


def with_part(day: str, words: Sequence[str], j: int) -> tuple[str, int]:
    """ "wednesday morning": the part of the day said after a weekday stays with it."""
    if j < len(words) and words[j] in PARTS:
        return f"{day} {words[j]}", j + 1
    return day, j


def nth(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


_CLOCK = re.compile(r"\d{2}:\d{2}")
_YEAR = re.compile(r"\d{4}")
_NO_AT = ("after", "before", "and", "between")  # "after 14:00", not "after at 14:00"


def shown_date(value: str) -> str:
    """A mention as a person reads it in the inbox or a summary: "december 12 15:30" as
    "December 12 at 15:30", "next tuesday 15:30" as "next Tuesday at 15:30"; the clock stays
    24-hour, as the pages show every time."""
    if " to " in value:  # "wednesday 16:00 to thursday 16:00"
        return " to ".join(shown_date(part) for part in value.split(" to "))
    if value.endswith(PAST_MARK):  # "monday 15:00 (past)": its time read as any other's
        return shown_date(value.removesuffix(PAST_MARK)) + PAST_MARK
    words = [w.capitalize() if w in WEEKDAYS or w in MONTHS.values() else w for w in value.split()]
    if len(words) > 2 and _YEAR.fullmatch(words[2]) and words[0].lower() in MONTHS:
        words[1] += ","  # "December 12, 2026"
    if len(words) > 1 and _CLOCK.fullmatch(words[-1]) and words[-2] not in _NO_AT:
        words.insert(-1, "at")
    return " ".join(words)
