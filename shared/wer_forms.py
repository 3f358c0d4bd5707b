"""Written forms the word error rate compares as said (shared.wer): ordinals in words,
amounts of money and scaled amounts, cardinals said with "hundred" or "thousand", and which
"Dr" a text means."""

from __future__ import annotations

import re

# A compared token: its text and the first and last word (of ``normalize``) it stands for.
Token = tuple[str, int, int]
# A sign before an amount is a word said after it: "$5" is "five dollars".
CURRENCIES = {"$": "dollars", "£": "pounds", "€": "euros"}
# "5k" and "$2m" are said "5 thousand", "2 million dollars". A bare "5m" is as often metres
# or minutes, so "m" is a million only in an amount of money; "k" after a number ("5k",
# "five k") is a thousand either way, said "k" or "thousand".
SCALED = re.compile(r"([0-9]+)([km])")
SCALES = {"k": "thousand", "m": "million"}
# A currency sign after an amount, with or without a space ("5€", "5 €"); not one that
# begins the next amount ("5 $10").
SIGN_AFTER = re.compile(r"[ \u00a0\u202f]?([$£€])(?![0-9])")

UNIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEEN_WORDS = [
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
        words += [UNIT_WORDS[hundreds], "hundred"]
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words += [TENS_WORDS[tens - 2], *([UNIT_WORDS[unit]] if unit else [])]
    elif rest or not words:
        words.append((UNIT_WORDS + TEEN_WORDS)[rest])
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
    return [*words[:-1], _ORDINALS[(UNIT_WORDS + TEEN_WORDS).index(last)]]


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


# A cardinal said with "hundred" or "thousand" ("one hundred five", "twelve hundred", "two
# thousand and twenty") has the value of its words' places, not of its digits written one
# after another ("1005"): 105, as "105" is. A number written in digits may begin it ("5k" is
# compared as "5 thousand").
_BELOW_TWENTY = {word: value for value, word in enumerate(UNIT_WORDS + TEEN_WORDS)}
_TENS_VALUES = {word: 10 * (value + 2) for value, word in enumerate(TENS_WORDS)}
_MOST_DIGITS_BEFORE = {"hundred": 2, "thousand": 3}
_SCALES_OF_A = frozenset({"hundred", "thousand"})


def _below_hundred(words: list[str], i: int) -> tuple[int, int] | None:
    """The value of the number under a hundred said from word ``i`` on, and where it ends."""
    word = words[i] if i < len(words) else ""
    if word in _BELOW_TWENTY:
        return _BELOW_TWENTY[word], i + 1
    if word in _TENS_VALUES:
        unit = words[i + 1] if i + 1 < len(words) else ""
        if unit in UNIT_WORDS and unit != "zero":
            return _TENS_VALUES[word] + _BELOW_TWENTY[unit], i + 2
        return _TENS_VALUES[word], i + 1
    return None


def _group(words: list[str], i: int, limit: int) -> tuple[int, int, bool] | None:
    """The value of the number under ``limit`` (a hundred or a thousand) said from word ``i``
    on, where it ends and whether it was said with "hundred"."""
    start = _below_hundred(words, i)
    if start is None and i + 1 < len(words) and words[i] == "a" and words[i + 1] in _SCALES_OF_A:
        start = 1, i + 1  # "a hundred and five" is 105, as "one hundred and five" is
    if start is None and i < len(words) and words[i].isdigit():
        written = words[i]
        after = words[i + 1] if i + 1 < len(words) else ""
        if len(written) > _MOST_DIGITS_BEFORE.get(after, 0):
            return None
        start = int(written), i + 1
    if start is None:
        return None
    value, end = start
    if limit > 100 and end < len(words) and words[end] == "hundred" and 0 < value < 100:
        value, end = value * 100, end + 1
        rest = _below_hundred(words, _past_and(words, end))
        if rest is not None and not _digit_said(words, rest[1]):
            value, end = value + rest[0], rest[1]
        return value, end, True
    return (value, end, False) if value < limit else None


def _digit_said(words: list[str], i: int) -> bool:
    """Whether word ``i`` is a number's, so the number before it was said digit by digit: a
    toll-free "eight hundred five five five" is 800 555, not 805 55."""
    word = words[i] if i < len(words) else ""
    return word in _BELOW_TWENTY or word in _TENS_VALUES or word.isdigit()


def _past_and(words: list[str], i: int) -> int:
    """Past an "and" said inside a number ("one hundred and five")."""
    return i + 1 if i < len(words) and words[i] == "and" else i


def spoken_cardinal(words: list[str], i: int) -> tuple[int, int] | None:
    """The value of a cardinal said with "hundred" or "thousand" from word ``i`` on, and where
    it ends; None where none is said there (digits said one by one are left to the caller)."""
    group = _group(words, i, 1000)
    if group is None:
        return None
    value, end, hundreds = group
    if end < len(words) and words[end] == "thousand" and value:
        value, end = value * 1000, end + 1
        rest = _group(words, _past_and(words, end), 1000)
        if rest is not None and not _digit_said(words, rest[1]):
            value, end = value + rest[0], rest[1]
        return value, end
    return (value, end) if hundreds else None


_SCALE_WORDS = frozenset({"thousand", "million", "billion"})


def decimal_scaled(
    lowered: str, found: list[re.Match[str]], k: int, sign: str
) -> list[Token] | None:
    """An amount with decimals and a scale from word ``k`` on ("2.5k", "$2.5m", "1.2
    million") as said: "2 point 5 million dollars"; None where none begins there."""
    whole, end = found[k].group(), found[k].end()
    if not whole.isdigit() or k + 1 >= len(found) or lowered[end : end + 1] != ".":
        return None
    fraction = found[k + 1]
    scaled = SCALED.fullmatch(fraction.group()) if fraction.start() == end + 1 else None
    if scaled:
        digits, scale, last = scaled.group(1), SCALES[scaled.group(2)], k + 1
    elif (
        fraction.start() == end + 1
        and fraction.group().isdigit()
        and k + 2 < len(found)
        and found[k + 2].group() in _SCALE_WORDS
    ):
        digits, scale, last = fraction.group(), found[k + 2].group(), k + 2
    else:
        return None
    after = SIGN_AFTER.match(lowered, found[last].end())
    currency = sign if sign in CURRENCIES else after.group(1) if after else ""
    if scaled and scaled.group(2) == "m" and not currency:
        return None  # "2.5m" alone is metres or minutes
    said = [(whole, k, k), ("point", k, k + 1), (digits, k + 1, k + 1), (scale, last, last)]
    return said + ([(CURRENCIES[currency], last, last)] if currency else [])


# A decimal written in digits ("2.5", "39.5") is said with "point", as "two point five" is.
# Not one whose point may be a clock's ("9.30": "nine thirty"), one of a chain of points (an
# address, a date: "10.0.0.1", "12.07.2026") or an amount of money ("$2.50": "two fifty").
_CLOCK_LIKE = re.compile(r"(?:[01]?[0-9]|2[0-4])\.[0-5][0-9]")


def written_decimal(lowered: str, found: list[re.Match[str]], k: int, sign: str) -> bool:
    """Whether word ``k`` of ``found`` is the whole part of a decimal said with "point"."""
    whole, end = found[k].group(), found[k].end()
    if not whole.isdigit() or k + 1 >= len(found) or sign in CURRENCIES:
        return False
    fraction = found[k + 1]
    if fraction.start() != end + 1 or lowered[end] != "." or not fraction.group().isdigit():
        return False
    chained = lowered[found[k].start() - 1 : found[k].start()] == "." or (
        lowered[fraction.end() : fraction.end() + 2].startswith(".")
        and lowered[fraction.end() + 1 : fraction.end() + 2].isdigit()
    )
    after = SIGN_AFTER.match(lowered, fraction.end())
    clock = _CLOCK_LIKE.fullmatch(lowered, found[k].start(), fraction.end()) is not None
    return not (chained or clock or after)
