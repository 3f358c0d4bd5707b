"""Days and clock times a caller mentions, as short strings such as "tuesday 15:00"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from shared.language.day_forms import (
    MONTHS as MONTHS,
)
from shared.language.day_forms import (
    WEEKDAYS as WEEKDAYS,
)
from shared.language.day_forms import (
    counted_day,
    nth,
    part_of_a_day,
    with_part,
    written_date,
)
from shared.language.day_forms import (
    shown_date as shown_date,
)
from shared.language.numbers import TEENS, TENS, UNITS, ordinal, spoken_int
from shared.language.past_days import past_at_end, said_of_the_past
from shared.language.streets import house_number
from shared.language.tokens import Tokens

# Longest first, so "tomorrow morning" is one mention rather than "tomorrow" and a stray word.
_RELATIVE = tuple(p.split() for p in (
    "day after tomorrow", "tomorrow morning", "tomorrow afternoon", "tomorrow evening",
    "tomorrow night", "this morning", "this afternoon", "this evening", "next week",
    "this week", "next month", "this weekend", "next weekend", "the weekend", "today",
    "tomorrow", "tonight", "first thing tomorrow", "the end of the week", "end of the week",
    "the end of next week", "the end of the month", "end of the month", "the following week",
    "the week after next", "the week after",
))  # fmt: skip
# A bare number is a time only after one of these ("at three"), never on its own.
_TIME_PREPS = {"at", "around", "by", "before", "after", "until", "till", "between"}
# ... and not when a noun follows it ("after two weeks", "by five dollars").
_NOT_TIME_NEXT = {"weeks", "days", "months", "years", "hours", "minutes", "dollars",
                  "people", "of", "times", "things", "percent", "more", "kids", "bucks",
                  "pounds", "hundred", "thousand",
                  # One of them ("after 1 day"), tries and doses ("after 3 attempts", "after
                  # two doses"), lengths ("around 3 inches of water"): a bound's "after 2"
                  # reads out as "after two in the afternoon".
                  "day", "week", "month", "year", "hour", "minute", "hrs", "mins", "nights",
                  "attempts", "tries", "calls", "visits", "sessions", "doses", "tablets",
                  "pills", "rounds", "appointments", "messages", "emails", "texts", "letters",
                  "inches", "inch", "feet", "foot", "metres", "meters", "miles", "locations",
                  "separate", "euros", "quid", "grand", "cents", "items", "rooms"}  # fmt: skip
# Between a day and its time; a bound's word too ("tomorrow after 3": tomorrow's bound).
_GLUE = {"at", "on", "around", "by", "about", "in", "the", "after", "before", "between"}
# The hour said last, after its minutes: "half past three" (3:30), "quarter to four" (3:45),
# and the British "half three" (3:30, never 2:30). The words are themselves a time's, so no
# "at" is needed before them. Longest first: "half past three" is not "half" and a stray word.
_HOUR_LAST = ((("half", "past"), 30), (("quarter", "past"), 15), (("quarter", "after"), 15),
              (("quarter", "to"), -15), (("quarter", "of"), -15), (("half",), 30))  # fmt: skip


@dataclass(frozen=True)
class _Time:
    hour: int
    minute: int
    meridiem: str | None  # "am" or "pm" when the caller said so
    # "after"/"before" when the caller gave a bound ("any time after 2"), "between" with
    # ``until`` for a range: "after 14:00" is no appointment at 14:00.
    window: str = ""
    until: _Time | None = None


def _meridiem(words: Sequence[str], j: int) -> tuple[str | None, int]:
    seq = list(words[j : j + 3])
    if seq[:1] in (["am"], ["pm"]):
        return seq[0], 1
    if seq[:2] in (["a", "m"], ["p", "m"]):
        return seq[0] + "m", 2
    if seq == ["in", "the", "morning"]:
        return "am", 3
    if seq in (["in", "the", "afternoon"], ["in", "the", "evening"]):
        return "pm", 3
    if seq[:2] == ["at", "night"]:
        return "pm", 2
    return None, 0


def _minutes(words: Sequence[str], j: int) -> tuple[int, int] | None:
    word = words[j] if j < len(words) else ""
    if word in ("oh", "o") and j + 1 < len(words) and words[j + 1] in UNITS:
        return UNITS[words[j + 1]], 2  # "ten oh five"
    if word.isdigit() and len(word) == 2 and int(word) < 60:
        return int(word), 1
    if word in TEENS or word in TENS:  # "three fifteen"; "three five" is not a time
        parsed = spoken_int(words, j)
        if parsed is not None and parsed[0] < 60:
            return parsed
    return None


def _hour_last(words: Sequence[str], i: int) -> tuple[int, int, int] | None:
    """ "quarter to four" at ``words[i]`` as (hour, minute, index after the hour)."""
    for phrase, offset in _HOUR_LAST:
        j = i + len(phrase)
        if tuple(words[i:j]) != phrase:
            continue
        parsed = spoken_int(words, j)
        if parsed is None or not 1 <= parsed[0] <= 12:
            continue
        hour = parsed[0] if offset > 0 else parsed[0] - 1 or 12
        return hour, offset % 60, j + parsed[1]
    return None


def _time_at(words: Sequence[str], i: int, cued: bool = False) -> tuple[_Time, int] | None:
    word = words[i]
    if word in ("noon", "midday"):
        return _Time(12, 0, "pm"), i + 1
    if word == "midnight":
        return _Time(12, 0, "am"), i + 1
    colon = re.fullmatch(r"(\d{1,2}):(\d{2})", word)
    said_last = _hour_last(words, i) if word in ("half", "quarter") else None
    if said_last is not None:
        hour, minute, j = said_last
        evidence = True
    elif colon:
        hour, minute, j, evidence = int(colon[1]), int(colon[2]), i + 1, True
        if hour > 23 or minute > 59:
            return None
    else:
        parsed = spoken_int(words, i)
        if parsed is None or not 1 <= parsed[0] <= 12:
            return None
        hour, minute, j = parsed[0], 0, i + parsed[1]
        mins = _minutes(words, j)
        if mins is not None:
            minute, j = mins[0], j + mins[1]
        evidence = (cued or (i > 0 and words[i - 1] in _TIME_PREPS)) and not (
            _counts_with(words, j) or house_number(words, i, j)
        )
    if list(words[j : j + 1]) == ["o'clock"]:
        j, evidence = j + 1, True
    elif list(words[j : j + 2]) == ["o", "clock"]:
        j, evidence = j + 2, True
    meridiem, used = _meridiem(words, j)
    j += used
    if not (evidence or meridiem) or (j < len(words) and words[j] in _NOT_TIME_NEXT):
        return None
    return _Time(hour, minute, meridiem if hour <= 12 else None), j


def _counts_with(words: Sequence[str], j: int) -> bool:
    """ "after 2 or 3 days", "between 9 and 11 people": a number joined to another that
    counts things counts them too, so the cue before it makes no time of it."""
    if words[j : j + 1] not in (["or"], ["and"], ["to"]):
        return False
    other = spoken_int(words, j + 1)
    k = j + 1 + other[1] if other is not None else len(words)
    return k < len(words) and words[k] in _NOT_TIME_NEXT


def _day_at(
    words: Sequence[str], i: int, pauses: frozenset[int] = frozenset()
) -> tuple[str, int] | None:
    """A day said at ``words[i]``; ``pauses``: the tokens written after punctuation."""
    for phrase in _RELATIVE:
        if list(words[i : i + len(phrase)]) == phrase:
            return " ".join(phrase), i + len(phrase)
    found = counted_day(words, i) or part_of_a_day(words, i)
    if found is not None:
        return found
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in ("next", "this") and nxt in WEEKDAYS:
        return with_part(f"next {nxt}" if word == "next" else nxt, words, i + 2)
    if word in WEEKDAYS:
        alone = _day_at(words, i + 1, pauses) if nxt == "the" else None  # "thursday the 18th"
        if alone is not None and alone[0].startswith("the "):
            return f"{word} {alone[0]}", alone[1]
        return with_part(word, words, i + 1)
    if words[i : i + 3] in (["a", "week", "from"], ["a", "week", "on"]) and (
        i + 3 < len(words) and words[i + 3] in WEEKDAYS
    ):
        return f"a week from {words[i + 3]}", i + 4  # "a week from Monday": not Monday
    if word in MONTHS:  # "march 5", "march the fifth"; a month alone may be a verb ("may")
        j = i + 2 if nxt == "the" else i + 1
        day = ordinal(words, j) or spoken_int(words, j)
        if day is not None and 1 <= day[0] <= 31:
            return f"{MONTHS[word]} {day[0]}", j + day[1]
        return None
    j = i + 1 if word == "the" else i  # "the fifth of march", "5th march"
    day = ordinal(words, j)
    if day is not None and 1 <= day[0] <= 31:
        k = j + day[1]
        k += 1 if k < len(words) and words[k] == "of" else 0
        if k < len(words) and words[k] in MONTHS:
            return f"{MONTHS[words[k]]} {day[0]}", k + 1
        if j > i and _day_of_month_alone(words, i, k, pauses):
            return f"the {nth(day[0])}", j + day[1]
    return None


# A day of the month said without its month: "on the 5th", "move it from the fifteenth to
# the twenty second", "Thursday the 18th". Only after one of these (or a weekday) and before
# a word that ends the date or starts another clause: "on the first floor", "for the second
# time" name no day.
_BEFORE_DAY_ALONE = {"on", "for", "from", "to", "until", "till", "by", "before", "after"}
_AFTER_DAY_ALONE = {"", "at", "and", "or", "to", "instead", "if", "but", "in", "please", "i",
                    "because", "so", "then", "would", "works", "is", "that", "when", "thanks",
                    "thank", "around", "about", "as", "same", "my", "we", "it", "between",
                    "from", "until", "appointment"}  # fmt: skip


# What an ordinal joined to this one may count instead of days: "from the 2nd to the 5th
# floor", "on the 2nd or 3rd shelf" name no day.
_ORDINAL_THINGS = {"floor", "floors", "shelf", "shelves", "grade", "option", "options", "time",
                   "times", "line", "row", "call", "calls", "message", "payment", "payments",
                   "page", "door", "house", "street", "place", "round", "one"}  # fmt: skip


def _day_of_month_alone(words: Sequence[str], i: int, k: int, pauses: frozenset[int]) -> bool:
    before = words[i - 1] if i > 0 else ""
    # A pause ends the date where what comes before makes it one: a range's far end ("away
    # from the 3rd to the 10th, can I book ...") or a weekday's ("Saturday the 12th, any
    # time after 2"). Not after "on": "my surgery on the 3rd. I'd like to book" would offer
    # the booking for the surgery's day.
    ended = k in pauses and (before in ("to", "until") or before in WEEKDAYS)
    after = words[k] if k < len(words) and not ended else ""
    if after in ("and", "or", "to"):
        m = k + 2 if words[k + 1 : k + 2] == ["the"] else k + 1
        other = ordinal(words, m)
        counted = m + other[1] if other is not None else len(words)
        if counted < len(words) and words[counted] in _ORDINAL_THINGS:
            return False
    return (before in _BEFORE_DAY_ALONE or before in WEEKDAYS) and after in _AFTER_DAY_ALONE


def not_before(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` is a bound the caller says is no deadline: "not before 6", "not
    until 4", "don't call me before 5", "please don't ring until after 3" (a start, not an
    end). "Before" and "until" alone are ends ("call me before noon")."""
    if i < 0 or i + 1 >= len(words) or words[i] not in ("before", "until", "till"):
        return False
    if _time_at(words, i + 1) is None and words[i + 1] not in ("lunchtime", "lunch"):
        return False  # "not till next summer": no time of day, no window
    if i > 0 and words[i - 1] == "not":
        return True
    # "don't call me before", "do not ring us until": a "don't" a few words back, with only
    # a call and whom it is to between.
    between = words[max(0, i - 4) : i]
    barred = any(
        w in ("don't", "dont") or (w == "not" and k > 0 and between[k - 1] == "do")
        for k, w in enumerate(between)
    )
    return barred and not (set(between) & {"but", "and", "or"})


def bounds_as_meant(words: Sequence[str]) -> list[str]:
    """ "Please don't call me before 5" as "please call me after 5" (``not_before``): the
    urgency model, trained on "call me before 5" as a deadline, read the first as urgent
    (0.81) and reads the second as it is meant (normal, 0.79)."""
    meant: list[str] = []
    for i, word in enumerate(words):
        if not_before(words, i):
            while meant and meant[-1] in ("not", "don't", "dont", "do"):
                meant.pop()
            word = "after"
        elif word in ("don't", "dont", "do", "not") and any(
            not_before(words, k) for k in range(i + 1, min(i + 5, len(words)))
        ):
            continue  # the "don't" of "don't call me before 5", dropped with its bound
        meant.append(word)
    return meant


def _window_at(words: Sequence[str], i: int) -> tuple[_Time, int] | None:
    """A time with the bound said before it: "after 2", "before noon", "between 9 and 11"
    (the second number needs no "at": "and" after "between" cues it)."""
    found = _time_at(words, i)
    if found is not None and not_before(words, i - 1):
        # "Not before 6", "don't ring me until 5": the caller is free from then on.
        return replace(found[0], window="after"), found[1]
    if found is None or i == 0 or words[i - 1] not in ("after", "before", "between"):
        return found
    time, j = found
    if words[i - 1] != "between":
        return replace(time, window=words[i - 1]), j
    end = _time_at(words, j + 1, cued=True) if words[j : j + 1] == ["and"] else None
    if end is None:
        return found
    if time.meridiem is None and time.hour <= end[0].hour:
        time = replace(time, meridiem=end[0].meridiem)  # "between 8 and 10 in the morning"
    return replace(time, window="between", until=end[0]), end[1]


def _clock(time: _Time, day: str | None) -> str:
    text = _hhmm(time, day)
    if time.until is not None:
        return f"between {text} and {_hhmm(time.until, day)}"
    return f"{time.window} {text}" if time.window else text


def _hhmm(time: _Time, day: str | None) -> str:
    hour, meridiem = time.hour, time.meridiem
    if meridiem is None and day is not None:
        if any(part in day for part in ("afternoon", "evening", "night")):
            meridiem = "pm"
        elif "morning" in day:
            meridiem = "am"
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif meridiem is None and 1 <= hour <= 6:
        hour += 12  # nobody asks for a call at three in the morning: business hours
    return f"{hour:02d}:{time.minute:02d}"


def find_dates(tokens: Tokens, skip: Iterable[range] = (), region: str = "US") -> list[str]:
    """Mentions in order of appearance; ``skip`` hides token ranges (phone numbers);
    ``region`` orders the day and month of a date written in digits ("12/24", "24/12")."""
    return list(dict.fromkeys(text for _, text in date_mentions(tokens, skip, region)))


def date_mentions(
    tokens: Tokens, skip: Iterable[range] = (), region: str = "US"
) -> list[tuple[int, str]]:
    """``find_dates``'s mentions with the token each starts at, a repeated one each time."""
    words = list(tokens.low)
    for span in skip:
        for k in span:
            words[k] = ""
    spans: list[tuple[int, int, str | _Time]] = []
    i = 0
    while i < len(words):
        found = (
            written_date(words, tokens.slashed, i, region)
            or _day_at(words, i, tokens.punctuated)
            or _window_at(words, i)
        )
        if found is None:
            i += 1
            continue
        start, end, value = said_of_the_past(words, i, found[1], found[0], tokens.punctuated)
        spans.append((start, end, value))
        i = end
    return [(at, past_at_end(mention)) for at, mention in _merge(words, spans)]


def _pair(a: str | _Time, b: str | _Time) -> tuple[str, _Time] | None:
    if isinstance(a, str) and isinstance(b, _Time):
        return a, b
    if isinstance(a, _Time) and isinstance(b, str):
        return b, a
    return None


def _merge(
    words: Sequence[str], spans: list[tuple[int, int, str | _Time]]
) -> list[tuple[int, str]]:
    """Joins a day and a time said together ("tuesday at three") into one mention, then a
    mention said "from" one "to" another into one ("wednesday 16:00 to thursday 16:00")."""
    said: list[tuple[int, int, str]] = []
    k = 0
    while k < len(spans):
        start, end, value = spans[k]
        if k + 1 < len(spans):
            start2, end2, value2 = spans[k + 1]
            gap = words[end:start2]
            pair = _pair(value, value2)
            if pair is not None and len(gap) <= 2 and all(g in _GLUE for g in gap):
                said.append((start, end2, f"{pair[0]} {_clock(pair[1], pair[0])}"))
                k += 2
                continue
        said.append((start, end, value if isinstance(value, str) else _clock(value, None)))
        k += 1
    return _from_to(words, said)


def _from_to(words: Sequence[str], said: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """ "Move it from Wednesday at 4 to Thursday at 4", "away from the 3rd to the 10th": the
    two as one mention, "wednesday 16:00 to thursday 16:00", so that neither reads as the
    other's alternative (a move's old and new times, or a range's ends, as the caller said)."""
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(said):
        start, end, text = said[k]
        if (
            k + 1 < len(said)
            and start > 0
            and words[start - 1] == "from"
            and list(words[end : said[k + 1][0]]) in (["to"], ["until"])
        ):
            out.append((start, f"{text} to {said[k + 1][2]}"))
            k += 2
            continue
        out.append((start, text))
        k += 1
    return out
