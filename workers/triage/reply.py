"""The spoken reply: a few plain sentences a TTS voice reads naturally.

Days and times are written out as words. The callback number is written in digits, as the
inbox and the exports show it; the tts stage hands it to the voice spelled, digit by digit
in its groups (shared.language.said_numbers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.language.dates import MONTHS, WEEKDAYS
from shared.language.numbers import say_int, say_ordinal
from shared.language.past_days import is_past
from shared.language.phone import speak_number
from shared.language.said_numbers import write_number
from shared.models import Triage
from shared.redaction.detect import is_token
from workers.triage.calls import NOTHING_TO_DO, NoCall
from workers.triage.emergency import danger_line, gas_emergency_number

MAX_WORDS = 100
MAX_DATES = 2  # more than two times in a reply is hard to follow by ear
_TOPICS = {
    "appointment": "your appointment",
    "billing": "your bill",
    "order_status": "your order",
    "repair": "the problem you reported",
    "complaint": "your concern",
    "sales": "our services",
    "cancellation": "your cancellation",
}
_ACTION_LINES = {
    # No "for <dates>": a move names the booking it moves from as often as the time it
    # moves to ("move it from Wednesday at 4 to Thursday at 4", "cancel my 3:30 on the 12th,
    # I'll call back to rebook"), and "reschedule for Wednesday" would name the old one as
    # the new. The dates follow as noted ("We've made a note of ..."), claiming neither.
    "reschedule appointment": "We've noted that you'd like to reschedule.",
    "confirm appointment": "We've noted that you'd like to confirm your appointment.",
    "cancel appointment": "We've noted that you'd like to cancel your appointment.",
    "change booking": "We've noted the new party size for your booking.",
    "running late": "Thanks for letting us know you're running late; we'll tell the team.",
    "book appointment": "We'd be glad to book an appointment for you{when}.",
    "cancel order": "We'll look into cancelling your order.",
    "cancel service": "We'll take care of your cancellation request.",
    "send invoice": "We'll get that invoice over to you.",
    "issue refund": "We'll look into your refund.",
    "send receipt": "We'll send you a receipt.",
    "send quote": "We'll put together a quote for you.",
    "resend quote": "We'll send your quote again.",
    "arrange repair": "We'll arrange for someone to take a look.",
    "check order status": "We'll check on the status of your order.",
    "review bill": "We'll review your bill.",
    "follow up on complaint": "We're sorry for the trouble, and we'll look into it.",
    "send information": "We'll send you some information.",
}
# A restaurant's table (workers.triage.tables.table_booking), said as its own word for it.
_TABLE_LINES = {
    "book appointment": "We'd be glad to book a table for you{when}.",
    "confirm appointment": "We've noted that you'd like to confirm your {table}.",
    "cancel appointment": "We've noted that you'd like to cancel your {table}.",
}
_WHEN = {"high": "as soon as possible", "normal": "shortly", "low": "in due course"}
_LEAD = {"high": "We understand this is urgent, so we'll", "normal": "We'll",
         "low": "Since it isn't urgent, we'll"}  # fmt: skip
# Said instead of promising a call to a caller who asked for none (workers.triage.calls).
_NO_CALL: dict[NoCall, str] = {"declined": "As you said, there's no need for us to call you back.",
            "calls again": "We'll speak to you when you call again.",
            "thanks": "Thank you for letting us know; we'll pass it on to the team.",
            "wrong number": "No problem, thanks for letting us know.",
            "pitch": "We'll be in touch if we're interested.",
            "announcement": "Thank you for the information.",
            "mailing list": "We'll take you off our mailing list.",
            "email": "As you asked, we'll reply by email rather than call."}  # fmt: skip
_PARTS_OF_DAY = ("morning", "afternoon", "evening", "night", "tonight")
# A day named relative to the call (shared.language.dates): "We've made a note of Tuesday"
# reads well, "We've made a note of today" or "... of next week" does not.
_CLOCK = re.compile(r"\d{2}:\d{2}")
_ORDINAL = re.compile(r"\d{1,2}(st|nd|rd|th)")
_RELATIVE_DAY_WORDS = ("today", "tonight", "tomorrow", "this", "next", "the", "day", "end",
                       "first", "a", "in")  # fmt: skip


def speak_clock(clock: str) -> str:
    """Say a clock time: "15:00" is "three in the afternoon", "09:05" "nine oh five ..."."""
    hour, minute = (int(part) for part in clock.split(":"))
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    words = say_int(hour % 12 or 12)
    if minute:
        words += f" oh {say_int(minute)}" if minute < 10 else f" {say_int(minute)}"
    if 5 <= hour < 12:
        return f"{words} in the morning"
    if 12 <= hour < 18:
        return f"{words} in the afternoon"
    return f"{words} in the evening" if 18 <= hour < 22 else f"{words} at night"


def speak_date(value: str) -> str:
    """A triage date ("tuesday 15:00", "march 5") as words for the voice."""
    if " to " in value:  # "wednesday 16:00 to thursday 16:00": each end said as a date
        return " to ".join(speak_date(part) for part in value.split(" to "))
    words = value.split()
    clock = words.pop() if words and _CLOCK.fullmatch(words[-1]) else None
    spoken = [
        _say_year(int(w)) if len(w) == 4 and w.isdigit()
        else say_ordinal(int(w)) if w.isdigit()
        else say_ordinal(int(w[:-2])) if w[:-2].isdigit() and w[-2:] in ("st", "nd", "rd", "th")
        else w.capitalize() if w in WEEKDAYS or w in MONTHS.values()
        else w
        for w in words
    ]  # fmt: skip
    if clock is not None and spoken[-1:] == ["and"] and _CLOCK.fullmatch(spoken[-2]):
        # "between 09:00 and 11:00": the first said without its part of the day where the
        # second has the same ("between nine and eleven in the morning").
        start, end = speak_clock(spoken[-2]), speak_clock(clock)
        if start.split()[-1] == end.split()[-1]:
            start = start.split(" in the ")[0].split(" at night")[0]
        spoken[-2] = start
    day = " ".join(spoken)
    if clock is None:
        return day
    time = speak_clock(clock)
    if any(part in w for w in words for part in _PARTS_OF_DAY):  # "tonight at eight"
        time = time.split(" in the ")[0].split(" at night")[0]
    if spoken[-1:] and spoken[-1] in ("after", "before", "and"):
        return f"{day} {time}"  # "after two in the afternoon", "between nine and eleven"
    return f"{day} at {time}" if day else time


def _say_year(year: int) -> str:
    """ "twenty twenty six", "two thousand five"."""
    century, rest = divmod(year, 100)
    if rest == 0 or (century == 20 and rest < 10):
        return f"{say_int(century // 10)} thousand" + (f" {say_int(rest)}" if rest else "")
    return f"{say_int(century)} {say_int(rest)}"


def _first_name(name: str | None) -> str | None:
    if not name or is_token(name):
        return None  # "[PERSON_NAME]": greeted without a name, never as "Hello PERSON"
    first = name.split()[0]
    # "Dr. Smith" is greeted in full; "Eric Johnson" by first name.
    return name if first.endswith(".") or first == "Miss" else first


def compose_reply(
    triage: Triage,
    region: str,
    *,
    heard: bool = True,
    no_call: NoCall | None = None,
    emergency: bool = False,
    gas: bool = False,
    for_whom: str | None = None,
    asked: Sequence[str] | None = None,
    table: str | None = None,
) -> str:
    """The reply text, at most ``MAX_WORDS`` words; the same triage gives the same text.
    ``no_call``: the caller asked for no call back (``workers.triage.calls``), so none is
    promised. ``emergency``: the caller describes a danger to life
    (``workers.triage.emergency``), so the reply first sends them to the emergency number:
    a voicemail box cannot send help; ``gas``: the danger is a smell of gas or a leak, sent
    to the region's gas emergency line where it has one. ``for_whom``: the person the message is for
    (``workers.triage.recipient``), said after what we will do. ``asked``: the dates the
    caller asks for (``workers.triage.asked_dates``; None: all of them), the only ones a
    booking is offered for or a wish is read from. ``table``: the caller books or holds a
    restaurant's table (``workers.triage.tables.table_booking``), said as "your booking" or
    "your reservation" and booked as "a table", not an appointment."""
    first = _first_name(triage.caller_name)
    hello = f"Hello {first}," if first else "Hello,"
    # A thank-you, a wrong number, a pitch: "about the problem you reported" would be false.
    topic = None if no_call in NOTHING_TO_DO else _TOPICS.get(triage.intent)
    if table and triage.intent == "appointment" and topic:
        topic = f"your {table}"
    if emergency:
        opening = f"{hello} {danger_line(region, gas)}"
    elif not heard:
        opening = f"{hello} thanks for calling. We couldn't make out your message."
    elif topic:
        opening = f"{hello} thanks for your message about {topic}."
    else:
        opening = f"{hello} thanks for your message."
    # A day gone by ("last Monday", "we came in on Monday") is the job's history: never
    # one to book or note as a time for us.
    dates = [d for d in triage.dates if not is_past(d)]
    line = _ACTION_LINES.get(triage.requested_action or "", "")
    if table:
        line = _TABLE_LINES.get(triage.requested_action or "", line).replace("{table}", table)
    wanted = [d for d in (dates if asked is None else asked) if not is_past(d)]
    booked = wanted[:MAX_DATES] if "{when}" in line else []
    action = line.format(when=_for(booked))
    passed = ""
    if for_whom and no_call not in NOTHING_TO_DO:
        passed = f"We'll pass your message on to {re.split(r' (?:in|from|at|on) ', for_whom)[0]}."
    noted = _noted([d for d in dates if d not in booked], wanted, triage.requested_action)
    number = triage.callback_number
    target = (
        "on the number you left"
        if is_token(number)
        else f"at {write_number(number, region)}"
        if number
        else "on the number you called from"
    )
    callback = f"{_LEAD[triage.urgency]} call you back {_WHEN[triage.urgency]} {target}."
    window = _call_window(triage)
    if window is not None:
        # "Call me back, but not before 6": "as soon as possible" would ring them at work.
        callback = f"{_LEAD[triage.urgency]} call you back {speak_date(window)} {target}."
        noted = ""  # the window is said; any other mention was "today" or "tonight"
    # The voice says the number digit by digit: its length is counted as said.
    said_number = (
        len(speak_number(number, region).split()) - len(target.split()) + 1
        if number and target.startswith("at ")
        else 0
    )
    line_number = gas_emergency_number(region) if emergency and gas else None
    if line_number:  # GB's gas line, "0800 111 999": said digit by digit too
        said_number += sum(len(group) - 1 for group in line_number.split())
    if no_call == "if needed":  # "only call back if there's a problem"
        callback = f"We'll call you back {target} only if we need to."
    elif no_call is not None:
        callback, said_number = _NO_CALL[no_call], 0
    closing = "Have a good day."
    # Optional sentences go first (least useful first) if the reply runs long.
    sentences = {"opening": opening, "action": action, "passed": passed, "noted": noted,
                 "callback": callback, "closing": closing}  # fmt: skip
    for optional in ("noted", "closing", "passed", "action"):
        if _count(sentences) + said_number <= MAX_WORDS:
            break
        sentences[optional] = ""
    text = " ".join(s for s in sentences.values() if s)
    words = text.split()
    return text if len(words) <= MAX_WORDS else " ".join(words[:MAX_WORDS]).rstrip(",.") + "."


def _for(dates: Sequence[str]) -> str:
    """ " for Tuesday or Wednesday", " in two weeks": the dates a booking is offered for."""
    when = " or ".join(speak_date(d) for d in dates)
    return f" {when}" if when.startswith("in ") else f" for {when}" if when else ""


def _noted(dates: Sequence[str], wanted: Sequence[str], action: str | None) -> str:
    """The sentence that notes the days mentioned: a day of the calendar as noted ("We've
    made a note of Tuesday"); a day named from the call's ("today", "next week") only where
    the caller does not say it of the past ("the boiler broke this morning" needs no saying
    back), in words a person would use: "We've noted that you mentioned today" read as a
    form's. Only a repair's one day is read as a wish ("send someone today"): elsewhere
    "today" is as often a deadline or news ("my place goes tomorrow") as a time wanted."""
    relative = [d for d in dates if _from_the_call(d)]
    named = [d for d in dates if d not in relative][:MAX_DATES]
    wished = [d for d in relative if d in wanted][:MAX_DATES]
    if named:  # "Friday or tomorrow morning": the day named makes the other a day too
        said = [d for d in dates if d in named or d in wished][:MAX_DATES]
        return f"We've made a note of {' or '.join(_as_noted(d) for d in said)}."
    if not wished:
        return ""
    if action == "arrange repair" and len(wished) == 1 and not wished[0].startswith("in "):
        return f"We understand you'd like someone {speak_date(wished[0])}."
    return f"We've noted what you said about {' and '.join(_as_noted(d) for d in wished)}."


def _as_noted(date: str) -> str:
    """A mention as the thing noted: "in two weeks" as "two weeks from now" ("what you said
    about in two weeks" does not read)."""
    said = speak_date(date)
    return f"{said[3:]} from now" if said.startswith("in ") else said


def _from_the_call(date: str) -> bool:
    """ "today", "next week", "in two weeks": no weekday, month or day of the month named."""
    words = date.split()
    return words[0] in _RELATIVE_DAY_WORDS and not any(
        w in WEEKDAYS or w in MONTHS.values() or _ORDINAL.fullmatch(w) for w in words
    )


def _call_window(triage: Triage) -> str | None:
    """The time from which a caller who asks only for a call is free ("after 18:00", "today
    after 17:00"), where they gave one and no other time than "today" or "tonight": a weekday
    or a time beside it may be the job's ("I sold the car on Saturday"), not the call's."""
    if triage.requested_action not in ("call back", None):
        return None
    windows = [d for d in triage.dates if "after" in d.split() and " to " not in d]
    others = [d for d in triage.dates if d not in windows]
    if len(windows) != 1 or any(d not in ("today", "tonight") for d in others):
        return None
    return windows[0]


def _count(sentences: dict[str, str]) -> int:
    return sum(len(s.split()) for s in sentences.values())
