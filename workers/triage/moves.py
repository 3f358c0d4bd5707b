"""A booking moved by "instead": "at 1:30 instead of 11:30 on Thursday", "make it half three
instead". Narrow on purpose: "instead" alone also says "we'll go elsewhere instead" and
"£640 instead of £64", so only a time or day just before it counts, and with "instead of"
one just after it too."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.language.dates import WEEKDAYS
from shared.language.numbers import ORDINALS, TEENS, UNITS

_CLOCK = re.compile(r"\d{1,2}(:\d{2})?")
_DAY = re.compile(r"\d{1,2}(st|nd|rd|th)")
_WHEN = {*WEEKDAYS, "tomorrow", "today", "tonight", "morning", "afternoon", "evening",
         "weekend", "am", "pm", "o'clock", "noon", "midday"}  # fmt: skip
# A bare number is an hour only after these ("at five", "half three", "make it eleven"):
# "six of us instead of four" is people.
_BEFORE_HOUR = {"at", "half", "quarter", "past", "it", "about", "around", "till", "until"}
_SKIP = {"the", "my", "our", "usual", "on", "at"}


def _hour(word: str) -> bool:
    return (
        word in UNITS
        or word in TEENS
        or word in ("twelve", "eleven", "ten")
        or bool(_CLOCK.fullmatch(word) and int(word.split(":")[0]) <= 24)
    )


def _when(words: Sequence[str], i: int) -> bool:
    """Whether words[i] names a time or a day."""
    if i < 0 or i >= len(words):
        return False
    word = words[i]
    if word in _WHEN or _DAY.fullmatch(word) or (":" in word and _hour(word)):
        return True
    return _hour(word) and i > 0 and words[i - 1] in _BEFORE_HOUR


def moves_by_instead(words: Sequence[str]) -> bool:
    for i, word in enumerate(words):
        if word != "instead" or not _when(words, i - 1):
            continue
        if i + 1 < len(words) and words[i + 1] == "of":
            j = i + 2
            while j < len(words) and words[j] in _SKIP:
                j += 1
            if _when(words, j) or (j < len(words) and _hour(words[j])):
                return True
            continue
        return True
    return False


MOVE_MY = ("move my", "change my", "push my", "shift my")
# Words that end the booking's name: past one, "my" no longer names the appointment moved
# ("change my phone number before my appointment", "move my car before my appointment").
_NOT_IN_A_NAME = {"before", "after", "for", "to", "and", "but", "so", "because", "my", "i",
                  "then", "when", "until", "with", "on", "at", "if"}  # fmt: skip
_BOOKED = {"appointment", "appointments", "appt", "booking"}
_NAME_WORDS = 5  # "move my friday the twelfth appointment"
_MOVE_MY_WORDS = {tuple(p.split()) for p in MOVE_MY}


def moves_my_booking(words: Sequence[str]) -> bool:
    """ "Move my (Friday the twelfth | 3:30 | dental) appointment": the booking named within
    a few words of "move my", none of them ending its name."""
    for i in range(len(words) - 1):
        if (words[i], words[i + 1]) not in _MOVE_MY_WORDS:
            continue
        for word in words[i + 2 : i + 2 + _NAME_WORDS]:
            if word in _BOOKED:
                return True
            if word in _NOT_IN_A_NAME:
                break
    return False


# A booking named as a thing held ("the table we booked", "our reservation") and moved to,
# from or until a day or a time: "move the table we booked for the 21st to the 22nd".
# Without a day or time after it, the thing is moved, not the booking ("move the table
# nearer the window").
_MOVED = {"move", "change", "push", "shift", "switch", "bring"}
_HELD = {"table", "booking", "reservation", "appointment", "appt", "slot"}
_TOWARDS = {"to", "from", "until", "till"}
_BEFORE_WHEN = {"the", "next", "this", "a", "back", "forward", "it"}
_SPOKEN_DAY = {*ORDINALS, "twenty", "thirty", "week", "month"}


def moves_a_held_booking(words: Sequence[str]) -> bool:
    for i in range(len(words) - 2):
        if words[i] not in _MOVED or words[i + 1] not in ("the", "our", "my", "that", "this"):
            continue
        if words[i + 2] not in _HELD:
            continue
        for k in range(i + 3, len(words)):
            if words[k] not in _TOWARDS:
                continue
            j = k + 1
            while j < len(words) and words[j] in _BEFORE_WHEN:
                j += 1
            if j < len(words) and (_when(words, j) or _hour(words[j]) or words[j] in _SPOKEN_DAY):
                return True
    return False
