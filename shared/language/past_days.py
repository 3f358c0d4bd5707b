"""Days a caller speaks of as gone: "I was in last Monday", "this past Friday", "on Tuesday
last week", and a day in a sentence told in the past ("we came in on Monday and it was
closed", "I paid on the 3rd"). Left as a bare "monday", the inbox would date a past visit to
the coming Monday and the reply would offer to book it.

The first kind is a mention of its own, as said ("last monday", "this past monday", "monday
last week"); the second keeps its words and is marked ``(past)``: its day may be the one
just gone or one before, and a verb in the past also says "I was hoping to come in on
Monday", so no date is given for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

PAST_MARK = " (past)"
_Said = TypeVar("_Said")
# Verbs in the simple past that tell of something done on the day named after them. Not
# "got", "been" or "booked": "I've got physio on Wednesday", "I'm booked in for Thursday".
_DONE = {"came", "went", "called", "rang", "phoned", "dropped", "left", "bought", "paid",
         "ordered", "placed", "arrived", "delivered", "collected", "visited", "picked",
         "spoke", "sent", "installed", "fitted", "did", "was", "were", "wasn't", "weren't",
         "didn't", "happened", "turned", "stopped", "tried", "missed", "brought", "put",
         "passed", "charged", "took", "saw", "emailed", "texted", "fixed", "serviced",
         "repaired", "cleaned", "had", "returned", "noticed", "broke"}  # fmt: skip
# "Any spaces left on Saturday": a thing left over, not one left with us.
_LEFT_OVER = {"any", "spaces", "space", "places", "slots", "anything", "nothing", "still",
              "there", "much", "many"}  # fmt: skip
# Reported words name a day arranged ("the lad said Thursday", "we were told Friday").
# Before a day, these make it one still to come, or not told ("for Saturday", "will be
# closed on Tuesday", "I was hoping to come in on Sunday", "every Monday").
_AHEAD = {"for", "by", "until", "till", "before", "next", "this", "every", "will", "would",
          "could", "can", "should", "shall", "going", "gonna", "want", "wanted", "hoping",
          "wondering", "like", "need", "booked", "due", "supposed", "meant", "ready", "be",
          "i'll", "we'll", "you'll", "he'll", "she'll", "they'll", "it'll", "i'd", "we'd",
          "you'd", "he'd", "she'd", "they'd", "it'd", "is", "are", "free", "available",
          "coming", "from", "since", "said", "told"}  # fmt: skip
# A clause ends at these (and at punctuation): "I was off on Monday but can come Friday".
_CLAUSE_BREAKS = {"and", "but", "so", "because", "then", "if", "or"}
_LOOK_BACK = 8


def said_of_the_past(
    words: Sequence[str], start: int, end: int, day: _Said, pauses: frozenset[int]
) -> tuple[int, int, _Said | str]:
    """The mention at ``words[start:end]`` (``day``), widened to the words that put it in
    the past: "last monday" (start one earlier), "monday last week" (end two later), or
    marked ``(past)`` for a sentence in the past. Unchanged otherwise (a time alone)."""
    if not isinstance(day, str):
        return start, end, day
    head = day.split()[0]
    weekday = head in _WEEKDAYS and not day.startswith("next ")
    before = list(words[max(0, start - 2) : start])
    if weekday and before[-1:] == ["last"] and words[end : end + 1] != ["of"]:
        return start - 1, end, f"last {day}"  # not "the last friday of the month"
    if weekday and before == ["this", "past"]:
        return start - 2, end, f"this past {day}"
    if weekday and list(words[end : end + 2]) == ["last", "week"]:
        return start, end + 2, f"{day} last week"
    if weekday and list(words[max(0, start - 3) : start]) == ["last", "week", "on"]:
        return start, end, f"{day} last week"
    if (weekday or _of_month(day)) and _told_as_past(words, start, pauses):
        return start, end, day + PAST_MARK
    return start, end, day


def _of_month(day: str) -> bool:
    """ "the 3rd", "june 5": a day of the month (not "the weekend")."""
    words = day.split()
    return (
        len(words) >= 2
        and (words[0] == "the" or words[0] in _MONTH_WORDS)
        and (words[1][:1].isdigit())
    )


def _told_as_past(words: Sequence[str], start: int, pauses: frozenset[int]) -> bool:
    """Whether the nearest verb before the day, in its clause, is one done in the past
    ("I dropped it off on Monday"), not a participle ("will be closed on Tuesday")."""
    for k in range(start - 1, max(-1, start - 1 - _LOOK_BACK), -1):
        word = words[k]
        if word in _AHEAD or word in _CLAUSE_BREAKS or not word:
            return False
        if word in _DONE and not (
            word == "left" and words[k - 1 : k] and words[k - 1] in _LEFT_OVER
        ):
            return not (set(words[max(0, k - 2) : k]) & _AHEAD)
        if k in pauses:
            return False
    return False


def past_at_end(mention: str) -> str:
    """ "monday (past) 15:00", as a time joins its day, as "monday 15:00 (past)"."""
    if PAST_MARK not in mention:
        return mention
    return mention.replace(PAST_MARK, "") + PAST_MARK


def is_past(mention: str) -> bool:
    """Whether a triage's mention names a day gone by (never one to book or call on)."""
    words = mention.split()
    return (
        mention.endswith(PAST_MARK)
        or words[:1] == ["last"]
        or words[:2] == ["this", "past"]
        or "last week" in mention
    )


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_WORDS = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")  # fmt: skip
