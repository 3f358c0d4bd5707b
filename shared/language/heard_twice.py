"""Whether a callback number was heard twice: each of its digits by both engines, and no
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
- **Each digit of the national number is held by both engines**: by the other engine's
  hearing and by one of the first engine's two (its own or its rehearing), in every way
  their digits can be laid over it: a hearing with one 6 where the number has "66" holds
  neither 6, since which one it heard cannot be told. A digit read from a letter
  (``guessed``) holds nothing. The first engine's two hearings are one model on one voice
  and share its mistakes: Whisper wrote "oh" as 4 in both for 0161 496 0587 (w73 of the
  written set, spoken), where Moonshine had dropped the digit; so they do not confirm a
  digit between them.
- **The first hearing missed at most one digit.** The rehearing and the other engine have
  made the very same mistake where the first hearing wrote the stretch as words: "713,
  triple 2, 6 I'm 5 days" beside two hearings of "713-322-6958" for 713 222 6958 (vm15 of
  the voicemail set). A first hearing that wrote words over several digits cannot vouch that
  they were not heard otherwise.

Without the third condition the rule was tried and not made: Whisper's rehearing shares
Moonshine's mistakes (vm15 and vm31), and each time Whisper's own hearing had written the
disputed digits as words ("triple 2, 6 I'm 5 days", "508 Triple-free, 1147"). Measured on
the voicemail set and the spoken written set (w01-w130, 166 clips, ``make quality``): with
the second condition counting any two hearings, two wrong numbers were confirmed (w73 and
w117, "oh" heard as 4 by Whisper twice); held by both engines, none is, and two right
numbers whose one digit Moonshine alone missed go to review (vm11, w07). What remains
possible is a first hearing that dropped the one digit the other two both heard wrong
alike, and a mistake both engines make (``may_hide_a_triple``).

Where the first hearing was partial, or the other engine's did not confirm it, the other
engine also heard the number's stretch alone (``callback_rehearing_second_engine``): a
fourth hearing, which stands beside the other engine's as the rehearing beside the first.
It must not contradict the number either, and a digit it holds is held by the other engine.
On the four spoken sets (171 voicemails) it confirmed five right numbers that went to
review before, vm11 among them (Moonshine's whole hearing had missed a digit; alone it
heard "0117 928 4410"), and confirmed no wrong one.
"""

from __future__ import annotations

import re
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
# "Triple d" as the engines write it when they hear "three d d": see may_hide_a_triple.
_THREE_BEFORE_A_PAIR = re.compile(r"3([0-24-9])\1")
# How many a repetition of the number in one hearing may have dropped and still be one: a
# hearing that only splits into shorter parts holds a digit too many, not the number twice.
REPEAT_MAY_MISS = 2


@dataclass(frozen=True)
class Hearing:
    """The digits one hearing gave for a number, and whether one was read from a letter."""

    digits: str
    guessed: bool = False
    # The runs the digits came in, where a hearing may hold the number more than once (a
    # rehearing of a stretch where the caller said it twice): see _held_in_repeats.
    runs: tuple[str, ...] = ()


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
    guessed = any(run.guessed for run in runs)
    return Hearing(digits, guessed, tuple(run.digits for run in runs)) if digits else None


def may_hide_a_triple(groups: Iterable[str]) -> bool:
    """Whether a hearing wrote a 3 before a doubled digit in one group of digits ("713-322-6958"):
    what Whisper and Moonshine both wrote, each in its own hearing, for "seven one three,
    triple two, ..." (vm15 of the voicemail set; Moonshine wrote "343" for "triple three" in
    vm31). "Triple" is heard as "three" by both engines, so their agreement on such a number
    is no confirmation: it is the one mistake they make together. Only within a group: a 3
    written apart from the pair ("883-2204", "3, 8, 8") was heard as a word of its own; and
    a 3 before "33" is no such mistake ("triple three" heard as "three three three" is the
    same number)."""
    return any(_THREE_BEFORE_A_PAIR.search(group) for group in groups)


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


def _held_in_repeats(hearing: Hearing, significant: str, forms: set[str]) -> set[int] | None:
    """The places held by a hearing of the number said twice ("617 238 4410, again, 617 238
    4410" reheard as one stretch): its runs split in two, each part fitting the number whole
    but for ``REPEAT_MAY_MISS`` digits, the places either part holds; the split that holds
    fewest. None when no split fits. Both parts are one engine's hearing of one voice, so
    together they count as one hearing."""
    fewest: set[int] | None = None
    for cut in range(1, len(hearing.runs)):
        parts = ("".join(hearing.runs[:cut]), "".join(hearing.runs[cut:]))
        if min(len(part) for part in parts) < len(significant) - REPEAT_MAY_MISS:
            continue
        held = [_held_in_significant(part, significant, forms) for part in parts]
        if held[0] is None or held[1] is None:
            continue
        places = held[0] | held[1]
        if fewest is None or len(places) < len(fewest):
            fewest = places
    return fewest


def heard_twice(
    e164: str,
    first: Hearing | None,
    rehearing: Hearing | None,
    other: Hearing | None,
    other_again: Hearing | None = None,
) -> bool:
    """Whether ``e164`` was heard twice by ``first`` (the engine's own hearing of the whole
    message), its ``rehearing`` and ``other`` (another engine's), on the conditions in this
    module's docstring. ``other_again``, the other engine's hearing of the number's stretch
    alone, stands beside ``other`` as the first's rehearing beside the first: it must not
    hear a digit otherwise, and a digit either holds is held by the other engine."""
    if first is None or other is None:
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
    held_by: dict[str, set[int]] = {}
    hearings = (
        ("first", first),
        ("rehearing", rehearing),
        ("other", other),
        ("other_again", other_again),
    )
    for name, hearing in hearings:
        if hearing is None:
            continue
        held = _held_in_significant(hearing.digits, significant, forms)
        if held is None:
            held = _held_in_repeats(hearing, significant, forms)
        if held is None:
            return False
        held_by[name] = set() if hearing.guessed else held
    own = held_by["first"] | held_by.get("rehearing", set())
    others = held_by["other"] | held_by.get("other_again", set())
    return all(place in own and place in others for place in range(len(significant)))
