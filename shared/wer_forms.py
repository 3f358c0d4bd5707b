"""Written forms the word error rate compares as said (shared.wer): ordinals in words, and
which "Dr" a text means."""

from __future__ import annotations

import re

_UNIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEEN_WORDS = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENTHS = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
]
_LARGEST = 1_000_000  # ordinals from a millionth on are left as written


def _cardinal_words(number: int) -> list[str]:
    """A number under a million as said, without "and" ("one hundred twenty")."""
    thousands, rest = divmod(number, 1000)
    hundreds, rest = divmod(rest, 100)
    words = [*_cardinal_words(thousands), "thousand"] if thousands else []
    if hundreds:
        words += [_UNIT_WORDS[hundreds], "hundred"]
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words += [TENS_WORDS[tens - 2], *([_UNIT_WORDS[unit]] if unit else [])]
    elif rest or not words:
        words.append((_UNIT_WORDS + _TEEN_WORDS)[rest])
    return words


def ordinal_words(number: int) -> list[str] | None:
    """An ordinal as said ("second", "twenty first", "one hundred first", "two hundredth");
    None from a millionth on."""
    if number >= _LARGEST:
        return None
    if number < 20:
        return [_ORDINALS[number]]
    words = _cardinal_words(number)
    last = words[-1]
    if last in ("hundred", "thousand"):
        return [*words[:-1], last + "th"]
    if last in TENS_WORDS:
        return [*words[:-1], _TENTHS[TENS_WORDS.index(last)]]
    return [*words[:-1], _ORDINALS[(_UNIT_WORDS + _TEEN_WORDS).index(last)]]


_SAID_ORDINALS = frozenset({*_ORDINALS, *_TENTHS, "hundredth", "thousandth"})


def is_ordinal_word(word: str) -> bool:
    """Whether ``word`` is an ordinal's last word ("first", "twentieth", "hundredth")."""
    return word in _SAID_ORDINALS


# "Dr" is "doctor" before a name ("Dr. Smith", "call Dr Jones") and "drive" after a street's
# ("12 Elm Dr"); as its capitals tell: "doctor" when the next word is capitalised and the
# word before is no name, "drive" when the word before is capitalised and the next is not.
# Otherwise ("on Elm Dr. Then", a lower-cased "dr") the text cannot tell, and "dr" stays:
# it then matches "doctor", "drive" and "dr" alike (``same_word``).
DOCTOR_OR_DRIVE = "dr"
_SAID_DR = frozenset({"doctor", "drive"})
_SPACES = re.compile(r"[ \t\u00a0]+")
_NEXT_GAP = re.compile(r"\.?[ \t\u00a0]+")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n])[\s\"'(]*$")


def said_dr(cased: str, spans: list[tuple[int, int]], k: int) -> str:
    """What the "Dr" at ``spans[k]`` (word spans of ``cased``, the text as written) says."""
    before = spans[k - 1] if k else None
    after = spans[k + 1] if k + 1 < len(spans) else None
    next_cap = (
        after is not None
        and _NEXT_GAP.fullmatch(cased, spans[k][1], after[0]) is not None
        and cased[after[0]].isupper()
    )
    prev_cap = (
        before is not None
        and _SPACES.fullmatch(cased, before[1], spans[k][0]) is not None
        and cased[before[0]].isupper()
    )
    prev_name = prev_cap and before is not None and not _SENTENCE_END.search(cased, 0, before[0])
    if next_cap and not prev_name:
        return "doctor"
    if prev_cap and not next_cap:
        return "drive"
    return DOCTOR_OR_DRIVE


def same_word(said: str, heard: str) -> bool:
    """Whether two compared words match: equal, or an undecided "dr" and what it may be."""
    return said == heard or (
        DOCTOR_OR_DRIVE in (said, heard) and (said in _SAID_DR or heard in _SAID_DR)
    )
