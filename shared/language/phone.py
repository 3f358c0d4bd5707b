"""Callback numbers: which digits the caller gave as their number, and whether they make one.

Finding the digits is ours (spoken forms, cues, order numbers said nearby); deciding whether
they are a real number, and formatting it, is libphonenumber's (the ``phonenumbers`` port),
whose metadata knows every country's lengths, ranges and trunk prefixes. A run of digits that
is not a valid number is never reported as the callback number: it is kept as
``callback_number_partial`` (a fragment, a misheard digit) and the job goes to review.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat

from shared.language.area_codes import with_area_code
from shared.language.numbers import UNITS, DigitRun, digit_heard_as_word, digit_runs, say_digits
from shared.language.other_numbers import CUES, WINDOW, is_other_number
from shared.language.tokens import Tokens

MIN_DIGITS = 7  # shorter runs are times, amounts or house numbers, never a phone number
MAX_DIGITS = 15  # E.164's limit; longer runs are card or account numbers read aloud
# A cued run this long is reported as a partial number (a local number without its area
# code, a number cut off); shorter cued runs are more likely an amount or a time.
MIN_PARTIAL_DIGITS = 5

# Words people put between the parts of one number ("area code six one seven, and then
# eight six seven ..."): runs split only by these are read as one.
_JOINERS = {"and", "then", "uh", "um", "er", "the", "rest", "is", "it's", "that's"}
_MAX_JOIN_GAP = 2
# Digits of a number's start said again after it that read as its repetition (an area code).
_MIN_REPEAT = 3


@dataclass(frozen=True)
class CallbackNumber:
    """The number to call (E.164), or the digits heard where they make no valid number."""

    e164: str | None
    partial: str | None
    start: int = -1  # first token of the digits, -1 when none were heard
    end: int = -1
    # Another, different valid number was given after a cue too (a number said twice and
    # heard two ways, or two numbers): which one to call needs a person.
    disputed: bool = False
    # Every (start, end) where this same number was heard: a number said twice is heard
    # twice, and the two hearings agreeing confirm it.
    heard_at: tuple[tuple[int, int], ...] = ()
    # A digit of it was read from a letter the recogniser wrote in its place: to be checked.
    guessed: bool = False
    # The digits it was heard as, and where in them a letter was read (DigitRun.from_letters).
    heard: str = ""
    from_letters: frozenset[int] = frozenset()
    # The digits it was heard to say with "triple" (DigitRun.tripled).
    tripled: frozenset[str] = frozenset()


NO_NUMBER = CallbackNumber(None, None)


def _parse(digits: str, region: str, international: bool) -> PhoneNumber | None:
    try:
        if international:
            return phonenumbers.parse(f"+{digits}")
        # libphonenumber takes the region's trunk prefix ("0" in GB) and international
        # dialling prefix ("011" in the US) off as a dialled number would.
        return phonenumbers.parse(digits, region.upper())
    except NumberParseException:
        return None


def to_e164(digits: str, region: str, *, international: bool = False) -> str | None:
    """``digits`` in E.164 ("+14155550198") when they are a valid number, else None."""
    number = _parse(digits, region, international)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _said_twice(digits: str, region: str, international: bool) -> str | None:
    """The number in a run where the caller repeated it (or began to) with no pause the
    recogniser kept: "four one five ... two two nine one four one five ...". Only a run
    whose remainder repeats the number's own start counts, so two numbers never merge, and
    only from its first three digits on: a single digit more that happens to match ("615
    304 77726") is a misheard digit, and dropping it made a wrong number look certain."""
    for size in range(min(MAX_DIGITS, len(digits) - _MIN_REPEAT), MIN_DIGITS - 1, -1):
        head, rest = digits[:size], digits[size:]
        if head.startswith(rest) and (found := to_e164(head, region, international=international)):
            return found
    return None


def _once(digits: str) -> str:
    """The digits of a run that is one string said twice, heard alike both times and no
    valid number ("0751294036, 0751294036" for 07512 948036 said twice), said once: the
    partial number is what the caller said, not the two sayings end to end, so another
    hearing of the number can be held against it."""
    half, odd = divmod(len(digits), 2)
    if not odd and half >= MIN_DIGITS and digits[:half] == digits[half:]:
        return digits[:half]
    return digits


def _restarted(digits: str, region: str, international: bool) -> str | None:
    """The number in a run where the caller began it, stopped and began again ("216...
    216-390-2257"): the run less a start that the rest begins with, from three digits on
    (as for a number said twice, so a single digit heard twice is never dropped)."""
    for size in range(_MIN_REPEAT, len(digits) - MIN_DIGITS + 1):
        head, rest = digits[:size], digits[size:]
        if rest.startswith(head) and (found := to_e164(rest, region, international=international)):
            return found
    return None


# Said between two numbers by a caller correcting the first ("860-527-4439, sorry,
# 860-527-4493"): the second replaces it.
_CORRECTIONS = ("sorry", "i mean", "correction", "actually", "no wait", "make that",
                "rather", "scratch that", "i meant")  # fmt: skip
_MAX_CORRECTION_GAP = 4


def _corrects(words: tuple[str, ...], before: CallbackNumber, after: CallbackNumber) -> bool:
    """Whether the number ``after`` is the caller correcting ``before``, said just before
    (a number said again the same is a repetition, both hearings kept)."""
    gap = words[before.end : after.start]
    if before.e164 == after.e164 or not 0 < len(gap) <= _MAX_CORRECTION_GAP:
        return False
    said = f" {' '.join(gap)} "
    return any(f" {phrase} " in said for phrase in _CORRECTIONS)


def _is_cued(words: tuple[str, ...], run: DigitRun) -> bool:
    window = " ".join(words[max(0, run.start - WINDOW) : run.start])
    return any(f" {cue} " in f" {window} " for cue in CUES)


def _joined(words: tuple[str, ...], runs: list[DigitRun]) -> list[DigitRun]:
    out: list[DigitRun] = []
    for run in runs:
        last = out[-1] if out else None
        gap = words[last.end : run.start] if last else ()
        if (
            last is not None
            and len(gap) <= _MAX_JOIN_GAP
            and all(word in _JOINERS for word in gap)
            and len(last.digits) + len(run.digits) <= MAX_DIGITS
            and len(last.digits) < MIN_DIGITS
        ):
            out[-1] = DigitRun(
                last.start,
                run.end,
                last.digits + run.digits,
                last.international,
                guessed=last.guessed or run.guessed,
                from_letters=last.from_letters | _shifted(run.from_letters, len(last.digits)),
                tripled=last.tripled | run.tripled,
            )
        else:
            out.append(run)
    return out


def _with_spoken_plus(words: tuple[str, ...], run: DigitRun) -> DigitRun:
    if run.international or run.start == 0 or words[run.start - 1] != "plus":
        return run
    return replace(run, start=run.start - 1, international=True)


def _led_by_a_word(words: tuple[str, ...], run: DigitRun) -> DigitRun | None:
    """The run with the word before it read as its first digit, where a recogniser wrote the
    word that digit sounds like: Whisper heard "four one four ..." as "for 14889-2205" and
    "two oh six ..." as "to 06-447-3318". A guess (the run says so, and the number goes to
    review), tried only on a run that makes no number by itself."""
    if run.start == 0 or run.international:
        return None
    digit = digit_heard_as_word(words[run.start - 1])
    if digit is None:
        return None
    return DigitRun(
        run.start - 1,
        run.end,
        digit + run.digits,
        False,
        guessed=True,
        from_letters=_shifted(run.from_letters, 1),
        tripled=run.tripled,
    )


def _shifted(positions: frozenset[int], by: int) -> frozenset[int]:
    return frozenset(p + by for p in positions)


def _cut_at_a_word(tokens: Tokens, run: DigitRun) -> DigitRun | None:
    """The run up to the first word in it that was read as a digit ("415-867-2291 for 5
    minutes"): when the caller's own word joined a whole number to what came after it."""
    for i in range(run.start + 1, run.end - 1):
        if digit_heard_as_word(tokens.low[i]) is not None:
            return _part_of(tokens, run, run.start, i)
    return None


def _after_a_word(tokens: Tokens, run: DigitRun) -> DigitRun | None:
    """The run from after the last word in it that was read as a digit ("press 1 or
    415-867-2291"): when the caller's own word joined what came before to a whole number."""
    for i in range(run.end - 2, run.start, -1):
        if digit_heard_as_word(tokens.low[i]) is not None:
            return _part_of(tokens, run, i + 1, run.end)
    return None


def _after_a_pause(tokens: Tokens, run: DigitRun) -> DigitRun | None:
    """The run from a pause the recogniser wrote in it, where what came before is a few
    digits at most: "next Thursday at quarter past ten? 617-246-8100", "any time between
    8 and 10. 617-321-0000" (a time said just before the number, joined to it)."""
    for i in range(run.start + 1, run.end - 1):
        if i in tokens.punctuated and len(_part_of(tokens, run, run.start, i).digits) <= 3:
            return _part_of(tokens, run, i, run.end)
    return None


# A time said just before the number and heard as its first digits: "call me back at 9
# 617 555 0142", "ring me after six oh seven seven oh oh ...".
_TIME_CUES = {"at", "after", "before", "around", "about", "by", "from", "till", "until"}


def _after_an_hour(tokens: Tokens, run: DigitRun) -> DigitRun | None:
    """The run less its first token where that is an hour (1-12) said after a word of time."""
    first = tokens.low[run.start]
    hour = first if first.isdigit() else str(UNITS.get(first, ""))
    if run.start == 0 or tokens.low[run.start - 1] not in _TIME_CUES or run.end - run.start < 2:
        return None
    if not hour.isdigit() or not 1 <= int(hour) <= 12 or (first.isdigit() and len(first) > 2):
        return None
    return _part_of(tokens, run, run.start + 1, run.end)


def _part_of(tokens: Tokens, run: DigitRun, start: int, end: int) -> DigitRun:
    """The tokens ``[start, end)`` of ``run`` read again as a run of their own."""
    hyphened = {h - start for h in tokens.hyphened if start <= h < end}
    parts = digit_runs(tokens.low[start:end], tokens.raw[start:end], hyphened)
    digits, letters, tripled = "", frozenset[int](), frozenset[str]()
    for part in parts:
        letters |= _shifted(part.from_letters, len(digits))
        tripled |= part.tripled
        digits += part.digits
    # A head keeps the run's own reading (its "+", or a spoken "plus" before it).
    international = (
        run.international if start == run.start else bool(parts) and parts[0].international
    )
    return DigitRun(
        start,
        end,
        digits,
        international,
        guessed=bool(letters),
        from_letters=letters,
        tripled=tripled,
    )


def _reread(tokens: Tokens, run: DigitRun, region: str) -> tuple[DigitRun, str] | None:
    """A run that makes no number, read again with a word beside it as a digit, or a word
    inside it as a word: the run and the number it then makes, if any."""
    rereadings = (
        _led_by_a_word(tokens.low, run),
        _cut_at_a_word(tokens, run),
        _after_a_word(tokens, run),
        _after_a_pause(tokens, run),
        _after_an_hour(tokens, run),
    )
    for other in rereadings:
        if other is not None:
            e164 = to_e164(other.digits, region, international=other.international)
            if e164 is not None:
                return other, e164
    return None


def _number_runs(tokens: Tokens) -> list[DigitRun]:
    """Every digit run, with parts split by joiner words merged and a spoken "plus" kept."""
    runs = _joined(tokens.low, digit_runs(tokens.low, tokens.raw, tokens.hyphened))
    return [_with_spoken_plus(tokens.low, run) for run in runs]


def phone_runs(tokens: Tokens) -> list[DigitRun]:
    """Digit runs long enough to be phone numbers, in order of appearance."""
    return [r for r in _number_runs(tokens) if MIN_DIGITS <= len(r.digits) <= 2 * MAX_DIGITS]


def find_callback(tokens: Tokens, region: str) -> CallbackNumber:
    """The number to call back: valid numbers first, cued before uncued, earliest first;
    failing that, the digits of a cued run as a partial number."""
    valid: list[tuple[bool, int, CallbackNumber]] = []
    partial: list[tuple[bool, int, CallbackNumber]] = []
    for run in _number_runs(tokens):
        if len(run.digits) < MIN_PARTIAL_DIGITS or is_other_number(tokens, run):
            continue
        cued = _is_cued(tokens.low, run)
        e164 = None
        if len(run.digits) <= 2 * MAX_DIGITS:
            e164 = (
                to_e164(run.digits, region, international=run.international)
                or _said_twice(run.digits, region, run.international)
                or _restarted(run.digits, region, run.international)
            )
        if e164 is None and (reread := _reread(tokens, run, region)) is not None:
            run, e164 = reread
        if e164 is not None:
            found = CallbackNumber(
                e164,
                None,
                run.start,
                run.end,
                guessed=run.guessed,
                heard=run.digits,
                from_letters=run.from_letters,
                tripled=run.tripled,
            )
            valid.append((not cued, run.start, found))
        elif cued or MIN_DIGITS <= len(run.digits) <= MAX_DIGITS:
            digits = _once(run.digits)[:MAX_DIGITS]
            found = CallbackNumber(None, digits, run.start, run.end, tripled=run.tripled)
            partial.append((not cued, run.start, found))
    valid = [
        item
        for n, item in enumerate(valid)
        if not (n + 1 < len(valid) and _corrects(tokens.low, item[2], valid[n + 1][2]))
    ]
    if valid:
        best = min(valid, key=lambda item: item[:2])[2]
        heard = {found.e164 for uncued, _, found in valid if not uncued}
        same = [f for _, _, f in valid if f.e164 == best.e164]
        # Heard once without a guess, the number stands on its own hearing.
        return replace(
            best,
            disputed=len(heard) > 1,
            heard_at=tuple((f.start, f.end) for f in same),
            guessed=all(f.guessed for f in same),
        )
    runs = [run for run in _number_runs(tokens) if not is_other_number(tokens, run)]
    joined = with_area_code(tokens.low, runs, lambda d: to_e164(d, region))
    if joined is not None:  # "555-0142, area code 617"
        code, run, e164 = joined
        # Heard from the first part to the last: the code's hearing is the number's too
        # (its confidence, where a rehearing starts).
        start, end = min(code.start, run.start), max(code.end, run.end)
        return CallbackNumber(e164, None, start, end, heard_at=((start, end),), heard=run.digits)
    if partial:
        return min(partial, key=lambda item: item[:2])[2]
    return NO_NUMBER


def find_callback_number(tokens: Tokens, region: str) -> str | None:
    """The valid callback number in E.164, or None."""
    return find_callback(tokens, region).e164


def _groups(digits: str) -> list[str]:
    # Threes with a closing four, the rhythm people use when reading numbers aloud.
    if len(digits) <= 5:
        return [digits]
    head = len(digits) - (4 if len(digits) % 3 == 1 else 8 if len(digits) % 3 == 2 else 0)
    groups = [digits[i : i + 3] for i in range(0, head, 3)]
    rest = digits[head:]
    return groups + [rest[i : i + 4] for i in range(0, len(rest), 4)]


def speak_number(number: str, region: str) -> str:
    """A number as a TTS voice should read it: digit words, a pause between the groups its
    country writes it in. At home in the national form people dial (with the trunk prefix),
    abroad as "plus" and the country code."""
    parsed = _parse(number[1:], region, True) if number.startswith("+") else None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        return ", ".join(say_digits(g) for g in _groups(number.lstrip("+")))
    home = phonenumbers.region_code_for_number(parsed) == region.upper()
    # NANP numbers are written "(415) 555-0198" at home; every format splits on non-digits.
    written = phonenumbers.format_number(
        parsed, PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    )
    groups = "".join(ch if ch.isdigit() else " " for ch in written).split()
    # The national form leaves out the "1" a NANP toll-free number is dialled and said with
    # ("1-800-555-0199"); where the trunk prefix is part of the form (GB's 0800) it is kept.
    trunk = phonenumbers.ndd_prefix_for_region(region.upper(), True) or ""
    toll_free = phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE
    said = [say_digits(g) for g in groups]
    if home and toll_free and trunk and not groups[0].startswith(trunk):
        # Said as one breath with its prefix: "one eight hundred", "one eight eight eight".
        prefix = "eight hundred" if groups[0] == "800" else said[0]
        said[0] = f"{say_digits(trunk)} {prefix}"
    spoken = ", ".join(said)
    return spoken if home else f"plus {spoken}"
