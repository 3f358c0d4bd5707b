"""A restaurant's bookings: a table's hour said without "pm" ("a table for four at 7") is the
evening's, and a change of party size ("can we make it 8 instead of 6", "six of us instead of
four", "change my reservation to 8 people") is a change to the booking, neither a new time
nor a move."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.language.numbers import TEENS, TENS, UNITS
from shared.language.tokens import has_phrase

# Words that make a message a table's: not "booking" alone (a plumber's is one too).
TABLE_WORDS = frozenset({"table", "tables", "dinner", "reservation", "reservations", "reserve",
                         "supper", "diners"})  # fmt: skip
# A meal or a word of the morning anywhere: "breakfast for two at 8" is 08:00.
_MORNING_MEALS = frozenset({"breakfast", "brunch", "lunch", "lunchtime", "luncheon"})
_MORNING = frozenset({"am", "morning"})
# 11 stays the morning's: a table at 11 or 11:30 is lunch far more often than 23:00, and
# "11pm", "tonight at 11" or "11 at night" is read 23:00 already by the dates.
_MORNING_HOUR = re.compile(r"\b(0[5-9]|10):(\d{2})\b")
# How far after a mention's first word its "am" may be said ("friday at seven thirty am").
_SAID_WITH = 6

_PEOPLE = frozenset({"people", "guests", "persons", "adults", "covers", "diners", "pax"})
_BOOKED = frozenset({*TABLE_WORDS, "booking", "party", "group"})
# Said within a few words of the count ("change my reservation to 8 people"). Not "instead"
# alone: "switch our Friday booking to Saturday instead, still four of us" moves the day.
_CHANGES = ("change", "changed", "make it", "up it to", "increase", "reduce", "bump", "update",
            "add", "we're now", "we are now", "now be", "now have")  # fmt: skip
# A count grown or shrunk: "2 more people", "three extra guests".
_BY = frozenset({"more", "extra", "fewer", "less", "additional"})
# The size named as such, with a word of change ("can we change the number of people").
_SIZE_PHRASES = ("party size", "number of people", "number of guests", "head count",
                 "headcount", "size of the party", "size of our party")  # fmt: skip
_NOT_AN_HOUR = frozenset({"am", "pm", "o'clock", "thirty", "fifteen", "forty", "oclock",
                          "tonight", "tomorrow", "morning", "afternoon", "evening"})  # fmt: skip


# A table booked, said as one: "a table for four", "any tables free tonight", "the table we
# booked", "book a table", "in for dinner". Not "table" alone, as often furniture ("the dining
# table", "table arrangements", "the table by the window") or a figure ("an offer on the
# table"), nor "dinner" alone ("our charity dinner", "before dinner service").
_TABLE_THEN = frozenset({"for", "booked", "tonight", "tomorrow", "free", "we", "under"})
_A_TABLE = ("book a table", "reserve a table", "booked a table", "in for dinner",
            "out for dinner", "dinner booking", "dinner reservation")  # fmt: skip


def table_booking(words: Sequence[str]) -> str | None:
    """What a reply calls the caller's table ("reservation" where they say it, else
    "booking"), where they book one or hold one (``_TABLE_THEN``, ``_A_TABLE``); None
    otherwise, for a reply in an appointment's words."""
    booked = any(
        w in ("table", "tables") and i + 1 < len(words) and words[i + 1] in _TABLE_THEN
        for i, w in enumerate(words)
    ) or any(has_phrase(words, phrase) for phrase in _A_TABLE)
    if not booked:
        return None
    return "reservation" if {"reservation", "reservations"} & set(words) else "booking"


def evening_hours(
    words: Sequence[str], mentions: Sequence[tuple[int, str]]
) -> list[tuple[int, str]]:
    """``mentions`` (shared.language.dates.date_mentions) with a table's hour from 5 to 10,
    said without "am" or "morning", read as the evening's: "a table at 7" is 19:00. Business
    hours read it 07:00, right for a plumber's visit and wrong for dinner. Left as read in
    a message of breakfast or lunch, or of a table that is not booked (furniture, a saw)."""
    # "table" alone is no dinner: a dining table delivered at 9, a table saw fixed at 8.
    meal = (TABLE_WORDS - {"table", "tables"}) & set(words) or table_booking(words)
    if not meal or _MORNING_MEALS & set(words):
        return list(mentions)
    out = []
    for start, text in mentions:
        if not _MORNING & set(words[start : start + _SAID_WITH]) and "morning" not in text:
            text = _MORNING_HOUR.sub(lambda m: f"{int(m[1]) + 12}:{m[2]}", text)
        out.append((start, text))
    return out


def _count(word: str) -> bool:
    if word.isdigit():
        return 1 <= int(word) <= 99
    return word in UNITS or word in TEENS or word in TENS or word == "ten"


def changes_party_size(words: Sequence[str]) -> bool:
    """Whether the caller changes how many they are: a count of people ("8 people", "six of
    us", "party of ten") said with a word of change, or a booking's "make it 8 instead of 6"
    with no word of a time beside the numbers. A size said alone ("a table for six people")
    is a booking's, not a change."""
    if any(_people_at(words, i) and _instead(words, i) for i in range(len(words))):
        return True  # "six of us instead of four": no hour is said of people
    if not _BOOKED & set(words):
        return False  # "six of us can't work", "there'll be nine of us landing at 11"
    if any(has_phrase(words, p) for p in _SIZE_PHRASES) and "same" not in words:
        return any(has_phrase(words, p) for p in _CHANGES)
    for i in range(len(words)):
        if _people_at(words, i) and (_by(words, i) or _near_a_change(words, i)):
            return True
        if (
            words[i] == "instead"
            and i >= 2
            and words[i - 2] == "it"
            and _count(words[i - 1])
            and not _NOT_AN_HOUR & set(words[i - 3 : i + 5])
        ):
            return True  # "can we make it 8 instead of 6" of a table
    return False


def _people_at(words: Sequence[str], i: int) -> bool:
    """ "8 people", "six of us", "party of ten" at word ``i``."""
    if not _count(words[i]):
        return False
    after = [w for w in words[i + 1 : i + 4] if w not in _BY][:2]
    if after[:1] and after[0] in _PEOPLE:
        return True
    if tuple(after) == ("of", "us"):
        return True
    return i >= 2 and tuple(words[i - 2 : i]) == ("party", "of")


def _by(words: Sequence[str], i: int) -> bool:
    return i + 1 < len(words) and words[i + 1] in _BY


def _instead(words: Sequence[str], i: int) -> bool:
    """ "six of us instead of four", "instead of 6 people", not "still four of us"."""
    if words[i - 1 : i] in (["still"], ["same"]):
        return False
    return "instead" in words[i + 1 : i + 5] or tuple(words[max(0, i - 2) : i]) == ("instead", "of")


def _near_a_change(words: Sequence[str], i: int) -> bool:
    """A word of change within a few words of the count ("change my reservation to 8
    people")."""
    window = words[max(0, i - 5) : i + 5]
    return any(has_phrase(window, p) for p in _CHANGES)
