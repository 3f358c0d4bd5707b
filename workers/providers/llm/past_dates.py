"""Claude's ``dates`` held to the offline triage's convention for a day said of the past
(shared/language/past_days.py): "last monday", "this past monday" and "monday last week" as
said, "monday (past)" for a weekday or day of the month in a clause told in the past.

The prompt asks for it; this makes it so where the model wrote a bare "monday" that the
voicemail's own words put in the past, which the inbox would date to the coming Monday and
the reply might offer to book. A day the caller also speaks of as ahead is left as written.
"""

from __future__ import annotations

from shared.language.dates import find_dates
from shared.language.past_days import PAST_MARK, is_past, past_at_end
from shared.language.tokens import Tokens

# Told to the model in the tool's description of ``dates``.
CONVENTION = (
    "A day spoken of as gone by is written as said: 'last monday', 'this past monday', "
    "'monday last week'; a weekday or day of the month in a clause told in the past ('we "
    f"came in on Monday') ends with '{PAST_MARK.strip()}': 'monday (past)', 'the 5th (past)'. "
    "Never write a past day as a coming one."
)


def _day(mention: str) -> str:
    """The day a mention names, without what puts it in the past or ahead ("next monday"
    is the Monday to come, which the voicemail may also name as one gone by), or the time
    after it."""
    words = mention.replace(PAST_MARK, "").split()
    if words[:1] in (["last"], ["next"]):
        words = words[1:]
    elif words[:2] == ["this", "past"]:
        words = words[2:]
    return " ".join(words[:2] if words[:1] == ["the"] else words[:1])


def held_to_past_days(dates: list[str], heard: Tokens, region: str = "US") -> list[str]:
    """``dates`` in lower case, each bare day the voicemail (``heard``, its words as
    tokenized once for every check of the reply) tells only as past written as the offline
    triage writes it, reading its dates in ``region``'s order as the offline triage does."""
    offline = find_dates(heard, region=region)
    past = {_day(m): m for m in offline if is_past(m)}
    ahead = {_day(m) for m in offline if not is_past(m)}
    kept: list[str] = []
    for mention in (past_at_end(d.strip().lower()) for d in dates):
        day = _day(mention) if mention else ""
        said = past.get(day)
        # Claude's "next monday" or "monday next week" is a day to come, as it wrote it.
        if is_past(mention) or said is None or day in ahead or "next" in mention.split():
            kept.append(mention)
        elif said.endswith(PAST_MARK):
            kept.append(mention + PAST_MARK)
        else:  # "last monday": the words that put it in the past, and the time Claude gave
            kept.append(said.replace(day, mention, 1))
    return [mention for mention in kept if mention]
