"""Whether a callback number was heard twice: each of its digits by two hearings, and no
hearing that heard a digit of it otherwise.

A job's transcript may hold three hearings of a number: the engine's own, in the whole
message; its rehearing of the number's stretch alone (``callback_rehearing``); and another
engine's hearing of the whole recording (``second_engine``). Where two of them heard the
whole number alike (``workers.review``), it is confirmed. But hearings drop digits more often
than they change them: Whisper wrote "9-1-9-5-8-2-66-4" for 919 582 6634 (the 3 dropped),
its rehearing "919, I made 2, 6, 6, 3, 4" (the 5 and 8 lost in words) and Moonshine the
whole number. Every digit was heard twice, none was heard differently, and yet each hearing
alone is partial. Such a number is confirmed here, on three conditions:

- **No hearing contradicts it**: each hearing's digits appear, in order, in the number as
  dialled (with the country code, with the trunk prefix, or bare). A hearing with a digit
  the number lacks, or one too many, heard something else there.
- **Each digit of the national number is held by two hearings** in every way their digits
  can be laid over it: a hearing with one 6 where the number has "66" holds neither 6,
  since which one it heard cannot be told. A digit read from a letter (``guessed``) holds
  nothing.
- **The first hearing missed at most one digit.** The rehearing and the other engine have
  made the very same mistake where the first hearing wrote the stretch as words: "713,
  triple 2, 6 I'm 5 days" beside two hearings of "713-322-6958" for 713 222 6958 (vm15 of
  the voicemail set). A first hearing that wrote words over several digits cannot vouch that
  they were not heard otherwise.

Without the third condition the rule was tried and not made: Whisper's rehearing shares
Moonshine's mistakes (vm15 and vm31), and each time Whisper's own hearing had written the
disputed digits as words ("triple 2, 6 I'm 5 days", "508 Triple-free, 1147"). With it, measured
on the voicemail set and the two spoken sets (106 clips, ``make quality``): four right
numbers reported for review came to be confirmed (vm11, vm28, w46, w06), and none of the
seven wrong ones did. What remains possible is a first hearing that dropped the one digit
the other two both heard wrong alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException

from shared.language.numbers import digit_runs
from shared.language.phone import CallbackNumber
from shared.language.rehearing import dialled_forms
from shared.language.tokens import tokenize

# How many digits of the number the first hearing may have dropped and still vouch for it.
FIRST_MAY_MISS = 1


@dataclass(frozen=True)
class Hearing:
    """The digits one hearing gave for a number, and whether one was read from a letter."""

    digits: str
    guessed: bool = False


def hearing_of(found: CallbackNumber) -> Hearing | None:
    """What a hearing found by ``find_callback`` heard: its number or its partial digits."""
    digits = found.e164.lstrip("+") if found.e164 else found.partial
    return Hearing(digits, found.guessed) if digits else None


def every_digit_in(text: str) -> Hearing | None:
    """Every digit of a hearing of the number's stretch alone (a rehearing): all of its
    digits are the number's, even where words split them into runs."""
    tokens = tokenize(text)
    runs = digit_runs(tokens.low, tokens.raw, tokens.hyphened)
    digits = "".join(run.digits for run in runs)
    return Hearing(digits, any(run.guessed for run in runs)) if digits else None


def _held(heard: str, dialled: str) -> set[int] | None:
    """The places of ``dialled`` that ``heard``'s digits take however they are laid over it
    in order; None when they cannot be (a digit heard otherwise). A digit's place is fixed
    when its leftmost and rightmost possible places are one."""
    leftmost: list[int] = []
    place = 0
    for digit in heard:
        place = dialled.find(digit, place)
        if place < 0:
            return None
        leftmost.append(place)
        place += 1
    rightmost: list[int] = []
    place = len(dialled)
    for digit in reversed(heard):
        place = dialled.rfind(digit, 0, place)
        rightmost.append(place)
    rightmost.reverse()
    return {left for left, right in zip(leftmost, rightmost, strict=True) if left == right}


def _held_in_significant(heard: str, significant: str, forms: set[str]) -> set[int] | None:
    """The places of the national significant number a hearing holds, in the dialled form
    that gives it fewest (the least it can be said to have heard); None when it fits none."""
    fewest: set[int] | None = None
    for dialled in forms:
        held = _held(heard, dialled)
        if held is None:
            continue
        prefix = len(dialled) - len(significant)
        places = {p - prefix for p in held if p >= prefix}
        if fewest is None or len(places) < len(fewest):
            fewest = places
    return fewest


def heard_twice(e164: str, first: Hearing | None, others: Iterable[Hearing | None]) -> bool:
    """Whether ``e164`` was heard twice by ``first`` (the engine's own hearing of the whole
    message) and ``others``, on the conditions in this module's docstring."""
    if first is None:
        return False
    try:
        significant = phonenumbers.national_significant_number(phonenumbers.parse(e164))
    except NumberParseException:
        return False  # not a number in E.164 (a reply provider's own reading): not judged here
    forms = dialled_forms(e164) | {significant}
    # How many digits the first hearing dropped from the shortest form it fits.
    fitting = [len(f) for f in forms if _held(first.digits, f) is not None]
    if not fitting or min(fitting) - len(first.digits) > FIRST_MAY_MISS:
        return False
    times = [0] * len(significant)
    for hearing in (first, *others):
        if hearing is None:
            continue
        held = _held_in_significant(hearing.digits, significant, forms)
        if held is None:
            return False
        if not hearing.guessed:
            for place in held:
                times[place] += 1
    return all(count >= 2 for count in times)
