"""When a second hearing of a callback number may stand in for a first that was partial.

The offline engine re-decodes the stretch of audio where it heard only part of a number
(``workers.providers.stt.rehearing``). Whisper hears the same digits differently alone than
inside the whole message: on the voicemail set, "07-I-111-123-456" (a 1 too many) came back
as "O-7-I-1-1-1-2-3-4-5-6". But a second hearing is as fallible as the first,
so it is taken only where the two hearings disagree by digits one of them *missed*, never by a
digit heard differently:

- the first hearing's digits all appear, in order, in the second's (the first dropped some);
- or the second's all appear in the first's, which has just one digit more (the first heard
  one digit too many: "07-I-111-123-456" for 07911 123456).

Measured on the voicemail set (``make quality``): ten clips had a partial number. The second
hearing gave the right number for two and a valid but wrong one for one ("713-322-6958" for
713 222 6958, against the first's "7132226"). The rule takes one of the two (vm18) and refuses
the wrong one, and also the other right one (vm10), whose first hearing wrote "double" as a 2
("2-1-4-2-5-2-8-0-6"): a digit heard differently. Callback exact went 0.722 -> 0.750.
Even taken, it is one hearing, so its number is reported for a person to confirm
(``callback_number_unconfirmed``), never as certain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberFormat

from shared.language.phone import MAX_DIGITS, CallbackNumber, to_e164
from shared.models import Transcript

# Where a transcript's details keep the second hearing: {"text", "start_s", "end_s"}, the
# span in seconds of the recording.
DETAILS_KEY = "callback_rehearing"
# Where they keep another engine's hearing of the whole recording: {"engine", "text"}.
SECOND_ENGINE_KEY = "second_engine"
# Where they keep another engine's hearing of the number's stretch alone: {"engine", "text"}.
OTHER_REHEARING_KEY = "callback_rehearing_second_engine"


def rehearing_text(transcript: Transcript) -> str | None:
    """The text of the transcript's second hearing of its callback number, if it has one."""
    return _text(transcript, DETAILS_KEY)


def second_engine_text(transcript: Transcript) -> str | None:
    """The text of another engine's hearing of the recording, if the engine kept one."""
    return _text(transcript, SECOND_ENGINE_KEY)


def other_rehearing_text(transcript: Transcript) -> str | None:
    """The text of another engine's hearing of the number's stretch alone, if it had one."""
    return _text(transcript, OTHER_REHEARING_KEY)


def second_engine_heard_nothing(transcript: Transcript) -> bool:
    """Whether another engine heard the recording and wrote no word of it."""
    text = _kept_text(transcript, SECOND_ENGINE_KEY)
    return text is not None and not text.strip()


def _text(transcript: Transcript, key: str) -> str | None:
    text = _kept_text(transcript, key)
    return text if text is not None and text.strip() else None


def _kept_text(transcript: Transcript, key: str) -> str | None:
    """The text a hearing kept under ``key`` holds, empty or not; None without one."""
    found: Any = transcript.details.get(key)
    text = found.get("text") if isinstance(found, dict) else None
    return text if isinstance(text, str) else None


def _within(short: str, long: str) -> bool:
    """Whether the digits of ``short`` appear in ``long`` in the same order."""
    rest = iter(long)
    return all(digit in rest for digit in short)


def dialled_forms(e164: str) -> set[str]:
    """The digits a caller may have said for ``e164``: with the country code, and as dialled
    at home with the trunk prefix ("+447911123456": "447911123456" and "07911123456")."""
    national = phonenumbers.format_number(phonenumbers.parse(e164), PhoneNumberFormat.NATIONAL)
    return {e164.lstrip("+"), "".join(c for c in national if c.isdigit())}


def agrees(first_digits: str, second_digits: str) -> bool:
    """Whether two hearings of one number differ only by digits one of them missed."""
    if _within(first_digits, second_digits):
        return True
    return len(first_digits) == len(second_digits) + 1 and _within(second_digits, first_digits)


def from_second_engine(first: CallbackNumber, second: CallbackNumber) -> CallbackNumber | None:
    """The valid number another engine heard where the first engine heard none whole.

    Another engine is another hearing (Moonshine beside Whisper: different models), so where
    the first heard no digits at all its number is taken; where the first heard part of one,
    only a number that agrees with it as a rehearing must: holding those digits in order (the
    first missed some), or held in them with one digit less (the first heard one too many:
    Whisper's "615, 304, 77726" and Moonshine's 615-304-7726 on a voicemail not in the set).
    On the voicemail set Moonshine gave the right number for three of the clips whose number
    Whisper heard only in part (vm20, vm28, vm32) and a wrong one for vm15 ("713-322-6958" for
    713 222 6958), refused here since Whisper's "713, triple 2" holds a 2 where it has a 3
    (``reads_three_as_triple`` reads that 3 as the triple).
    Its mistakes are not all its own, though: on vm15 and vm31 ("508-343-1147" for 508 333
    1147) Whisper hearing the number's stretch alone made the very same ones. So a number
    taken from it is reported for a person to confirm, never as certain, and a rehearing
    that agrees with it is not taken as confirming it (tried: it traded vm27 for vm31).
    """
    if first.e164 is not None or second.e164 is None:
        return None
    if not first.partial or any(agrees(first.partial, d) for d in dialled_forms(second.e164)):
        return second
    return None


def settles_a_letter(first: CallbackNumber, second: CallbackNumber) -> CallbackNumber | None:
    """Another engine's valid number where the first engine's was made whole only by reading
    a letter it wrote as a digit, and the two differ only at those letters' digits.

    Whisper writes "I" for a "nine" or a "five" heard over a telephone line (both rhyme with
    it), and the letter is read as 9 (``numbers.HEARD_AS_LETTER``): its "01214-I-6, 06-I-2"
    for 0121 496 0652 made 01214 960692, while Moonshine heard 0121 496 0652 whole (w125 of
    the spoken unseen set). Every digit the first engine heard as a digit must agree, so a
    digit the two engines heard differently is never settled this way. Taken from one
    hearing, the number is still reported for a person to confirm (``workers.review``)."""
    if not first.e164 or not first.guessed or not first.from_letters or not second.e164:
        return None
    if second.e164 == first.e164:
        return None
    for digits in dialled_forms(second.e164):
        if len(digits) == len(first.heard) and all(
            a == b or n in first.from_letters
            for n, (a, b) in enumerate(zip(first.heard, digits, strict=True))
        ):
            return second
    return None


def reads_three_as_triple(first: CallbackNumber, second: CallbackNumber) -> CallbackNumber | None:
    """Another engine's valid number with a 3 before a doubled digit read as the "triple"
    the first engine heard, where that makes it hold the first's partial number.

    Both engines hear "triple" as "three" (``heard_twice.may_hide_a_triple``): for 713 222
    6958 (vm15 of the voicemail set) Whisper wrote "713, triple 2, 6 I'm 5 days", a partial
    7132226, and Moonshine "713-322-6958", which ``from_second_engine`` refuses for the 3
    where Whisper heard a 2. Each wrote three digits there; read as "triple 2", Moonshine's
    number holds every digit Whisper heard. The mistake can go the other way ("three two
    two" written as "triple 2"), and the number is neither hearing as written, so it is a
    guess, reported for a person to confirm (``workers.review``). Where two readings would
    fit, none is taken."""
    if first.e164 or not first.partial or not first.tripled or not second.e164:
        return None
    digits = second.e164.lstrip("+")
    found: set[str] = set()
    # "Triple three" heard as "three three three" is the same number: nothing to read.
    for said in first.tripled - {"3"}:
        if said * 3 not in first.partial:
            continue
        for at in (m.start() for m in re.finditer(f"(?=3{said}{said})", digits)):
            mended = to_e164(digits[:at] + said + digits[at + 1 :], "", international=True)
            if mended and any(agrees(first.partial, d) for d in dialled_forms(mended)):
                found.add(mended)
    return CallbackNumber(found.pop(), None, guessed=True) if len(found) == 1 else None


def settled_by_the_stretch(
    first: CallbackNumber, other: CallbackNumber, stretch: Sequence[CallbackNumber | None]
) -> CallbackNumber | None:
    """Another engine's valid number where the two engines heard two different ones in the
    whole recording and more of their hearings of the number's stretch alone hold it.

    Where the whole hearings dispute the number, each engine hears its stretch again alone
    (``workers.providers.stt.rehearing.span_of_disputed_number``); a hearing holds a number
    when its digits all appear in it in order. On the four spoken sets (171 voicemails) the
    engines heard two different whole numbers four times. For vm27 of the voicemail set
    (321 440 7752) Whisper wrote 7782 and Moonshine 7752; alone, Whisper heard
    "3, 2, 1, 4, 4, 7, 7, 5, 2" and Moonshine "321-440-7752". For c10 of the spoken unseen
    half of written_callers.json Whisper's "for 04-719-3886" lost to "719-3386" (Moonshine
    alone; Whisper's "404-71-I-N-3386" holds neither). For vm31 (508 333 1147) Whisper
    alone heard Moonshine's "343" and Moonshine alone Whisper's "triple three": a tie, and
    the first engine's number stays. (The fourth, w125, is ``settles_a_letter``'s.) Either
    way the engines disputed it, so it goes to a person (``workers.review``)."""
    if not first.e164 or not other.e164 or first.e164 == other.e164:
        return None

    def support(number: str) -> int:
        forms = dialled_forms(number)
        return sum(
            1
            for heard in stretch
            if heard is not None
            and (digits := heard.e164.lstrip("+") if heard.e164 else heard.partial)
            and any(_within(digits, form) for form in forms)
        )

    return other if support(other.e164) > support(first.e164) else None


def from_rehearing(first: CallbackNumber, second: CallbackNumber) -> CallbackNumber | None:
    """The valid number a second hearing gives for the first's partial one, when it agrees
    with the first; None otherwise (and always when the first already has a valid number)."""
    if first.e164 is not None or not first.partial or second.e164 is None:
        return None
    if any(agrees(first.partial, digits) for digits in dialled_forms(second.e164)):
        return second
    return None


def from_both_rehearings(
    first: CallbackNumber, again: CallbackNumber, other_again: CallbackNumber
) -> CallbackNumber | None:
    """The valid number both engines heard alike in the stretch the first reheard, where the
    first hearing had none whole and neither rehearing agrees with it.

    Whisper wrote "808-2004-6631" in the whole message for 808 274 6631, and then, hearing
    the stretch alone, "808-274-6631", as Moonshine did (w105 of the spoken w101-w130).
    Neither rehearing agrees with the first hearing (``from_rehearing``), which heard "274"
    as "2004". On the four spoken sets the two rehearings agreed on a valid number six
    times, each time the number said. Still, the first hearing disputes it: it is reported
    for a person to confirm."""
    if first.e164 is not None or again.e164 is None or again.e164 != other_again.e164:
        return None
    return other_again


def from_two_partials(
    first: CallbackNumber, second: CallbackNumber, region: str
) -> CallbackNumber | None:
    """The number two partial hearings make together where each missed digits the other
    heard: the one valid number among the shortest digit strings holding both in order.

    Whisper's "816402367" and Moonshine's "16423367" for 816 402 3367 (w46 of the spoken
    unseen set) make 8164023367 where neither heard a digit that was not said, and no digit
    went unheard by both. The two may be two engines' hearings or one engine's and its own
    rehearing of the number's stretch (w68: "4259-02147" and "5, 9, 0, 2, 1, 1, 4, 7" make
    425 902 1147). Where two or more such strings are valid numbers, none is taken;
    what is taken is reported as unconfirmed (workers.review), since no engine heard it
    whole."""
    if first.e164 or second.e164 or not first.partial or not second.partial:
        return None
    merged = _shortest_holding_both(first.partial, second.partial)
    if merged is None:
        return None
    found = {
        number
        for digits in merged
        if (number := to_e164(digits, region, international=False)) is not None
    }
    return CallbackNumber(found.pop(), None, guessed=True) if len(found) == 1 else None


def _shortest_holding_both(a: str, b: str) -> frozenset[str] | None:
    """Every shortest string with both ``a`` and ``b`` as subsequences; None where those
    are longer than a phone number can be (there can be thousands of them then)."""

    @cache
    def length(i: int, j: int) -> int:
        if i == len(a) or j == len(b):
            return len(a) - i + len(b) - j
        if a[i] == b[j]:
            return 1 + length(i + 1, j + 1)
        return 1 + min(length(i + 1, j), length(i, j + 1))

    @cache
    def strings(i: int, j: int) -> frozenset[str]:
        if i == len(a) or j == len(b):
            return frozenset({a[i:] + b[j:]})
        found: set[str] = set()
        best = length(i, j)
        if a[i] == b[j] and best == 1 + length(i + 1, j + 1):
            found.update(a[i] + rest for rest in strings(i + 1, j + 1))
        if best == 1 + length(i + 1, j):
            found.update(a[i] + rest for rest in strings(i + 1, j))
        if best == 1 + length(i, j + 1):
            found.update(b[j] + rest for rest in strings(i, j + 1))
        return frozenset(found)

    return strings(0, 0) if length(0, 0) <= MAX_DIGITS else None
