"""Numbers as people say them: digit strings for phone numbers, small values for dates.

Speech recognisers spell numbers out ("four one five"), say "oh" for zero and "double
five" for 55, and now and then mishear a digit as a similar word. Each of those is only
trusted next to an unambiguous digit, so ordinary words are never read as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 2, "thirty": 3, "forty": 4, "fifty": 5, "sixty": 6, "seventy": 7,
        "eighty": 8, "ninety": 9}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_ZERO_LETTERS = {"oh", "o"}  # "oh" is also an interjection: needs a digit beside it
_REPEATS = {"double": 2, "triple": 3}
_MULTIPLIERS = {"hundred": "00", "thousand": "000"}  # "eight hundred" -> 800
# Words recognisers have written in place of a digit ("five tier one" for "five zero
# one"; "or" for the "oh" of an English voice, by Whisper and Moonshine alike: "1-1-4-4-9-6
# or 3-8-5"; "time" or "times" for "five" over a telephone line, whose band cuts the /f/
# and /v/, as "three" loses its /th/ to "free": "three times two, seven, one, eight" for
# 352 718; each of the six "time" or "times" either engine wrote among a number's digits
# on the spoken sets was a "five");
# common English words, so trusted only with a digit on both sides.
_CONFUSIONS = {"to": "2", "too": "2", "for": "4", "fore": "4", "won": "1", "ate": "8",
               "tree": "3", "free": "3", "tier": "0", "or": "0", "time": "5",
               "times": "5"}  # fmt: skip
_FILLERS = {"uh", "um", "er", "ah", "dash", "hyphen"}
# A letter Whisper wrote as one of a number's hyphened groups ("area code I-17-482-0063",
# "07-I-111-123-456", both "nine" said by espeak voices over a telephone line): the digit
# whose sound it kept. A guess, so the run says so (DigitRun.guessed) and the number it
# makes goes to review. Only before a group of digits: in a vanity number ("1-800-I-CAN")
# letters follow, and a group spelled in letters ("1-800-FLOWERS") is a word.
HEARD_AS_LETTER = {"i": "9"}
_DIGITS = re.compile(r"\+?\d+")


@dataclass(frozen=True)
class DigitRun:
    """Consecutive tokens ``[start, end)`` that spell out ``digits``."""

    start: int
    end: int
    digits: str
    international: bool  # written with a leading "+"
    # A digit was read from a letter (HEARD_AS_LETTER) or a word written as a group.
    guessed: bool = False
    # Where in ``digits`` those digits are: "I" may have been "nine" or "five".
    from_letters: frozenset[int] = frozenset()
    # The digits said with "triple" ("triple 2"): another engine may have heard the word as
    # "three" (rehearing.reads_three_as_triple).
    tripled: frozenset[str] = frozenset()


def digit_heard_as_word(word: str) -> str | None:
    """The digit a common word may have been written for ("for" for "four"), or None."""
    return None if word == "tier" else _CONFUSIONS.get(word)


def _is_digit_word(word: str) -> bool:
    return bool(_DIGITS.fullmatch(word)) or word in UNITS or word in _ZERO_LETTERS


def _confused_repeat(words: Sequence[str], i: int) -> bool:
    """A misheard digit after "double" or "triple" ("508 triple free 1147"), trusted like
    the other confusions only inside a number ("a double for tonight" is no number)."""
    return (
        i + 2 < len(words)
        and words[i + 1] in _CONFUSIONS
        and i > 0
        and _is_digit_word(words[i - 1])
        and _is_digit_word(words[i + 2])
    )


def _written_repeat(words: Sequence[str], i: int) -> bool:
    """ "double" or "triple" before written digits: a lone digit ("double 5 2"), or a group
    inside a number ("214 double 55", never "charged double 50 dollars")."""
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if not nxt.isdigit() or not nxt.isascii():
        return False
    return len(nxt) == 1 or (i > 0 and _is_digit_word(words[i - 1]))


def strict_digits(words: Sequence[str]) -> list[str | None]:
    """Digits of tokens that can only be numbers; None elsewhere."""
    out: list[str | None] = [None] * len(words)
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if _DIGITS.fullmatch(word):
            out[i] = word.lstrip("+")
        elif word in UNITS:
            out[i] = str(UNITS[word])
        elif word in TEENS:
            out[i] = str(TEENS[word])
        elif word in TENS:
            # "twenty one" -> "2" then "1"; a lone "twenty" -> "20".
            out[i] = str(TENS[word]) + ("" if UNITS.get(nxt, 0) > 0 else "0")
        elif word in _MULTIPLIERS and i > 0 and words[i - 1] in UNITS:
            out[i] = _MULTIPLIERS[word]
        elif word in _REPEATS and _written_repeat(words, i):
            # "Double-5-2" as Whisper writes "double five two": the digit itself repeated.
            out[i], out[i + 1] = nxt[0] * (_REPEATS[word] - 1), nxt
            i += 1
        elif word in _REPEATS and (
            nxt in UNITS or nxt in _ZERO_LETTERS or _confused_repeat(words, i)
        ):
            digit = _CONFUSIONS[nxt] if nxt in _CONFUSIONS else str(UNITS.get(nxt, 0))
            out[i], out[i + 1] = digit * _REPEATS[word], ""
            i += 1
        i += 1
    return out


def digit_runs(
    words: Sequence[str], raw: Sequence[str] | None = None, hyphened: Set[int] = frozenset()
) -> list[DigitRun]:
    """Every maximal run of number tokens, in order; ``raw`` spots a leading "+", and
    ``hyphened`` (``Tokens.hyphened``) the letters written as a number's groups."""
    strict = strict_digits(words)
    resolved = list(strict)
    guessed: set[int] = set()
    for i, word in enumerate(words):
        if strict[i] is not None:
            continue
        before = i > 0 and strict[i - 1] is not None
        after = i + 1 < len(words) and strict[i + 1] is not None
        if word in HEARD_AS_LETTER and after and i + 1 in hyphened:
            resolved[i] = HEARD_AS_LETTER[word]
            guessed.add(i)
        elif word in _ZERO_LETTERS and (before or after):
            resolved[i] = "0"
        elif word in _CONFUSIONS and before and after:
            resolved[i] = _CONFUSIONS[word]
        elif word in _CONFUSIONS and ((before and i in hyphened) or (after and i + 1 in hyphened)):
            # Written as one of the number's groups, at its edge: Moonshine's "713-864-209-TIME"
            # for "... two oh nine five", said twice and written so twice (b08 of the spoken
            # unseen half of the callers' set). With a digit on one side only, it is a guess.
            resolved[i] = _CONFUSIONS[word]
            guessed.add(i)
        elif word in _FILLERS and before and after:
            resolved[i] = ""
    return runs_of(words, raw, resolved, guessed)


def runs_of(
    words: Sequence[str],
    raw: Sequence[str] | None,
    resolved: Sequence[str | None],
    guessed: Set[int],
) -> list[DigitRun]:
    """The maximal runs of tokens that ``resolved`` gives digits for (None: not a number's),
    those read by a guess (``guessed``) marked in each run's ``from_letters``."""
    runs: list[DigitRun] = []
    i = 0
    while i < len(words):
        if resolved[i] is None:
            i += 1
            continue
        start = i
        while i < len(words) and resolved[i] is not None:
            i += 1
        digits, from_letters, tripled = "", set(), set()
        for token in range(start, i):
            if token in guessed:
                from_letters.add(len(digits))
            said = resolved[token] or ""
            if words[token] == "triple" and said:
                tripled.add(said[0])
            digits += said
        plus = (raw or words)[start].startswith("+")
        runs.append(
            DigitRun(
                start,
                i,
                digits,
                plus,
                guessed=bool(from_letters),
                from_letters=frozenset(from_letters),
                tripled=frozenset(tripled),
            )
        )
    return runs


def spoken_int(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """A number 0-99 starting at ``words[i]``, as (value, tokens used)."""
    if i >= len(words):
        return None
    word = words[i]
    if word.isdigit() and len(word) <= 2:
        return int(word), 1
    if word in UNITS:
        return UNITS[word], 1
    if word in TEENS:
        return TEENS[word], 1
    if word in TENS:
        unit = UNITS.get(words[i + 1], 0) if i + 1 < len(words) else 0
        return TENS[word] * 10 + unit, 2 if unit else 1
    return None


def ordinal(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """A day-of-month ordinal ("fifth", "twenty first", "5th") as (value, tokens used)."""
    if i >= len(words):
        return None
    word = words[i]
    written = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)", word)
    if written:
        return int(written.group(1)), 1
    if word in ORDINALS:
        return ORDINALS[word], 1
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word in TENS and ORDINALS.get(nxt, 10) < 10:
        return TENS[word] * 10 + ORDINALS[nxt], 2
    return None


_SAY_UNITS = [*UNITS]
_SAY_TEENS = [*TEENS]
_SAY_TENS = {v: k for k, v in TENS.items()}
_SAY_ORDINALS = {v: k for k, v in ORDINALS.items()}


def say_int(n: int) -> str:
    """Words for 0-99, the range a clock or a day of the month needs."""
    if n < 10:
        return _SAY_UNITS[n]
    if n < 20:
        return _SAY_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return _SAY_TENS[tens] + (f" {_SAY_UNITS[unit]}" if unit else "")


def say_ordinal(n: int) -> str:
    """Words for the ordinals 1-31 ("twenty first")."""
    if n in _SAY_ORDINALS:
        return _SAY_ORDINALS[n]
    tens, unit = divmod(n, 10)
    return f"{_SAY_TENS[tens]} {_SAY_ORDINALS[unit]}"


def say_digits(digits: str) -> str:
    """Each digit as a word; "zero" rather than "oh" because TTS voices say it clearly."""
    return " ".join(_SAY_UNITS[int(d)] for d in digits if d.isdigit())
