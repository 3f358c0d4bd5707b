"""Dates of birth: a date said just after a birth cue ("date of birth", "born on", "d o b",
"birthday"). Dates with no such cue are appointments and deadlines, and are kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.language.dates import MONTHS
from shared.language.numbers import TEENS, TENS, UNITS, ordinal, spoken_int
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, first_after_cues
from shared.redaction_policy import Entity

_CUES = ("date of birth", "birth date", "birthdate", "birthday", "born on", "born", "dob",
         "d o b", "birth")  # fmt: skip
# Words allowed between the cue and the date ("my date of birth is the ...").
_BRIDGE = {"is", "it's", "was", "on", "of", "uh", "um", "er", "in", "its", "my"}
_MAX_BRIDGE = 3
_MONTH_NUMBERS = {name: number for number, name in enumerate(dict.fromkeys(MONTHS.values()), 1)}

_Parsed = tuple[int, int]  # (value, tokens used)


def _small(words: Sequence[str], i: int, top: int) -> _Parsed | None:
    """A month or day number: "3", "03", "oh three", "third", "twelve"."""
    if i < len(words) and words[i] in ("oh", "o") and i + 1 < len(words):
        unit = UNITS.get(words[i + 1], 0)
        return (unit, 2) if 1 <= unit <= min(top, 9) else None
    found = ordinal(words, i) or spoken_int(words, i)
    return found if found is not None and 1 <= found[0] <= top else None


def _year(words: Sequence[str], i: int) -> _Parsed | None:
    """ "1982", "82", "nineteen eighty two", "nineteen oh five", "two thousand and one",
    "twenty twelve", "eighty two"."""
    if i >= len(words):
        return None
    word = words[i]
    if word.isdigit() and len(word) in (2, 4):
        return int(word), 1
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word == "two" and nxt == "thousand":
        j = i + 3 if i + 2 < len(words) and words[i + 2] == "and" else i + 2
        rest = spoken_int(words, j)
        return (2000 + rest[0], j - i + rest[1]) if rest else (2000, 2)
    century = TEENS.get(word) or (20 if word == "twenty" else None)
    if century is not None:
        if nxt in ("oh", "o") and i + 2 < len(words) and words[i + 2] in UNITS:
            return century * 100 + UNITS[words[i + 2]], 3
        rest = spoken_int(words, i + 1)
        if rest is not None and rest[0] >= 10:
            return century * 100 + rest[0], 1 + rest[1]
    if word in TENS:  # a two-digit year alone: "eighty two"
        return spoken_int(words, i)
    return None


@dataclass(frozen=True)
class _Date:
    end: int  # index after the date's last token
    month: int
    day: int
    year: int | None

    @property
    def iso(self) -> str:
        """ISO 8601 ("1982-03-03"; "--03-03" without a year), so one date said two ways
        hashes alike."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        year = self.year if self.year >= 100 else 1900 + self.year
        return f"{year:04d}-{self.month:02d}-{self.day:02d}"


def _numeric(words: Sequence[str], i: int) -> _Date | None:
    """ "7/14/1975", "12 9 1985", "oh three oh three eighty two": month first as in the US,
    day first when the first number cannot be a month."""
    first = _small(words, i, 31)
    second = _small(words, i + first[1], 31) if first else None
    if first is None or second is None:
        return None
    j = i + first[1] + second[1]
    year = _year(words, j)
    if year is None:
        return None
    month, day = (first[0], second[0]) if first[0] <= 12 else (second[0], first[0])
    return _Date(j + year[1], month, day, year[0]) if month <= 12 else None


def _date_at(words: Sequence[str], i: int) -> _Date | None:
    word = words[i] if i < len(words) else ""
    if word in MONTHS:  # "march third [nineteen eighty two]"
        j = i + 2 if i + 1 < len(words) and words[i + 1] == "the" else i + 1
        day = _small(words, j, 31)
        if day is None:
            return None
        j += day[1]
        year = _year(words, j)
        month = _MONTH_NUMBERS[MONTHS[word]]
        return _Date(j + (year[1] if year else 0), month, day[0], year[0] if year else None)
    # "the fourth of july nineteen fifty nine", and day first as most of the world says
    # it, "3 march 1985": a number is a day only where a month follows it.
    j = i + 1 if word == "the" else i
    day = _small(words, j, 31)
    if day is not None:
        k = j + day[1] + (1 if j + day[1] < len(words) and words[j + day[1]] == "of" else 0)
        if k < len(words) and words[k] in MONTHS:
            year = _year(words, k + 1)
            month = _MONTH_NUMBERS[MONTHS[words[k]]]
            return _Date(k + 1 + (year[1] if year else 0), month, day[0], year[0] if year else None)
    return _numeric(words, i)


def parse_date(words: Sequence[str]) -> str | None:
    """The date ``words`` begin with, in ISO 8601, or None."""
    date = _date_at(words, 0)
    return date.iso if date is not None else None


def find_birth_dates(s: Stream, region: str) -> list[Span]:
    found = first_after_cues(s, _CUES, _BRIDGE, _MAX_BRIDGE, lambda j: _date_at(s.low, j))
    return [Span(Entity.DATE_OF_BIRTH, *s.chars(j, date.end), date.iso) for j, date in found]
