"""How a text becomes the words the word error rate compares (shared.wer).

Both texts are normalised the same way first (lower-case, punctuation dropped, apostrophes
kept inside words) so that formatting differences between engines do not count as errors;
a few written forms are compared as said ("$5" and "5€" as "5 dollars"/"5 euros", "$1,000"
as "1000 dollars", "10%" and "per cent" as "percent", "p.m." and "5pm" as "pm", "2nd" as
"second", "101st" as "one hundred first", "5k" as "5 thousand", "$2m" as "2 million dollars",
"$2.5m" as "2 point 5 million dollars", "2.5" as "2 point 5", "OK" as "okay"), and numbers
as digits, a cardinal said with "hundred" or "thousand" by its value ("one hundred five" and
"a hundred and five" as "105"). "Dr" is "doctor" or "drive" as its capitals tell
(shared.wer_forms), else matches either.

Numbers: one engine writes "415-867-2291" or "10 of clubs", another "four one five" or "ten
of clubs", and a reference may be either. As Whisper's evaluation normaliser does, spoken
numbers are rewritten as digits; then every digit string is split into single digits, so
"ten" and "10" are both "1 0", "double five" and "55" both "5 5", and a misheard digit in a
phone number costs one error, not the whole number.
"""

from __future__ import annotations

import re

from shared.wer_forms import (
    CURRENCIES,
    DOCTOR_OR_DRIVE,
    SCALED,
    SCALES,
    SIGN_AFTER,
    TEEN_WORDS,
    TENS_WORDS,
    UNIT_WORDS,
    Token,
    decimal_scaled,
    is_ordinal_word,
    ordinal_words,
    said_dr,
    spoken_cardinal,
    written_decimal,
)

# Letters and digits of any script, optionally joined by inner apostrophes ("don't",
# "o'clock"); everything else separates words, so "ill-disposed" counts as two words,
# matching how reference transcripts are usually written.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Typographic apostrophes (U+2019 and kin) would otherwise split a word like "don't" in two.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


_UNITS = {word: str(value) for value, word in enumerate(UNIT_WORDS)}
_TEENS = {word: str(value + 10) for value, word in enumerate(TEEN_WORDS)}
_TENS = {word: str(value + 2) for value, word in enumerate(TENS_WORDS)}
_REPEATS = {"double": 2, "triple": 3}


# Written forms engines choose between for one spoken word: compared as the spoken word.
_SAME_WORD = {"ok": "okay", "mr": "mister", "mrs": "missus"}
_THOUSANDS_GROUP = re.compile(r"[0-9]{3}")
# French writes "10 %" (a space, often a no-break one): the same "10 percent" as "10%".
_PERCENT = re.compile(r"[ \u00a0\u202f]?%")

# "5pm" is "5 pm"; "2nd" is said "second", "21st" "twenty first" (only digits then the
# suffix: "spam" or "4x4" are left whole).
_TIME_OF_DAY = re.compile(r"([0-9]+)([ap]m)")
_ORDINAL = re.compile(r"([0-9]+)(?:st|nd|rd|th)")
_NUMBER_WORDS = frozenset({*_UNITS, *_TEENS, *_TENS, "hundred", "thousand"})


def _numbers_as_digits(words: list[Token]) -> list[Token]:
    """``words`` with spoken numbers as digit strings, every digit string split in digits;
    each token keeps the words it came from."""
    spoken: list[Token] = []
    texts = [word for word, _, _ in words]
    i = 0
    while i < len(words):
        word, lo, hi = words[i]
        following, _, next_hi = words[i + 1] if i + 1 < len(words) else ("", 0, 0)
        # After "point" a number's digits are its decimals: "2.5k" is "2 point 5 thousand".
        cardinal = spoken_cardinal(texts, i) if not spoken or spoken[-1][0] != "point" else None
        if cardinal is not None:
            spoken.append((str(cardinal[0]), lo, words[cardinal[1] - 1][2]))
            i = cardinal[1]
        elif word in _REPEATS and (following in _UNITS or following == "oh"):
            spoken.extend([(_UNITS.get(following, "0"), lo, next_hi)] * _REPEATS[word])
            i += 2
        elif word in _TENS:
            joined = following in _UNITS and following != "zero"
            spoken.append((_TENS[word] + _UNITS.get(following, "0"), lo, next_hi if joined else hi))
            i += 2 if joined else 1
        elif (
            word == "and"
            and i
            and words[i - 1][0] in ("hundred", "thousand")
            and (following in _NUMBER_WORDS or is_ordinal_word(following))
        ):
            i += 1  # "one hundred and first" is "one hundred first", as "101st" is said
        elif word == "hundred" and spoken and spoken[-1][0].isdigit() and len(spoken[-1][0]) == 1:
            last, last_lo, _ = spoken[-1]
            spoken[-1] = (last + "00", last_lo, hi)
            i += 1
        else:
            spoken.append((_UNITS.get(word) or _TEENS.get(word) or word, lo, hi))
            i += 1
    digits: list[Token] = []
    for index, (word, lo, hi) in enumerate(spoken):
        # "oh" is a zero only among digits ("two oh six"), not as an exclamation.
        if word == "oh" and any(
            0 <= j < len(spoken) and spoken[j][0].isdigit() for j in (index - 1, index + 1)
        ):
            word = "0"
        digits.extend((digit, lo, hi) for digit in (word if word.isdigit() else (word,)))
    return digits


def normalize(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without punctuation: what alignments show."""
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def _thousands_end(lowered: str, found: list[re.Match[str]], k: int) -> int:
    """The last word of the number starting at word ``k`` when it is written with thousands
    separators ("1,250,000": three words), else ``k``."""
    while (
        k + 1 < len(found)
        and lowered[found[k].end() : found[k].end() + 1] == ","
        and found[k + 1].start() == found[k].end() + 1
        and _THOUSANDS_GROUP.fullmatch(found[k + 1].group())
    ):
        k += 1
    return k


def _compared_tokens(text: str) -> tuple[list[str], list[Token]]:
    """The words of ``text`` (``normalize``) and the tokens compared for it: written forms
    as said ("$5" as "5 dollars", "10%" as "10 percent", "p.m." as "pm", "OK" as "okay"),
    numbers as single digits."""
    lowered = text.lower().translate(_APOSTROPHES)
    found = list(_WORD.finditer(lowered))
    spans = [m.span() for m in found]
    # The capitals say which "Dr" is meant; lower-casing that changes lengths ("İ") hides them.
    cased = text.translate(_APOSTROPHES) if len(lowered) == len(text) else None
    tokens: list[Token] = []
    k = 0
    while k < len(found):
        match, word = found[k], found[k].group()
        after = lowered[match.end() : match.end() + 1]
        if (
            word in ("a", "p")
            and after == "."
            and k + 1 < len(found)
            and found[k + 1].start() == match.end() + 1
            and found[k + 1].group() == "m"
        ):
            tokens.append((word + "m", k, k + 1))
            k += 2
            continue
        following = found[k + 1].group() if k + 1 < len(found) else ""
        if word == "per" and following == "cent":
            tokens.append(("percent", k, k + 1))  # British "per cent", one word as said
            k += 2
            continue
        timed, ordinal = _TIME_OF_DAY.fullmatch(word), _ORDINAL.fullmatch(word)
        spoken = ordinal_words(int(ordinal.group(1))) if ordinal else None
        if timed:
            tokens.extend([(timed.group(1), k, k), (timed.group(2), k, k)])
            k += 1
            continue
        if spoken:
            tokens.extend((said, k, k) for said in spoken)
            k += 1
            continue
        sign = lowered[match.start() - 1] if match.start() else ""
        after_sign = SIGN_AFTER.match(lowered, match.end())
        trailing = after_sign.group(1) if after_sign and sign not in CURRENCIES else ""
        decimal = decimal_scaled(lowered, found, k, sign)
        if decimal is not None:
            tokens += decimal
            k = decimal[-1][2] + 1
            continue
        if written_decimal(lowered, found, k, sign):
            tokens += [(word, k, k), ("point", k, k + 1), (found[k + 1].group(), k + 1, k + 1)]
            k += 2
            continue
        scaled = SCALED.fullmatch(word)
        if scaled and (scaled.group(2) == "k" or sign in CURRENCIES or trailing):
            tokens.extend([(scaled.group(1), k, k), (SCALES[scaled.group(2)], k, k)])
            if sign in CURRENCIES or trailing:
                # ``sign`` is whatever came before the amount: a space where the sign follows.
                tokens.append((CURRENCIES[sign if sign in CURRENCIES else trailing], k, k))
            k += 1
            continue
        if word == "k" and tokens and (tokens[-1][0].isdigit() or tokens[-1][0] in _NUMBER_WORDS):
            word = "thousand"
        if word == DOCTOR_OR_DRIVE and cased is not None:
            word = said_dr(cased, spans, k)
        tokens.append((_SAME_WORD.get(word, word), k, k))
        if word.isdigit() and trailing:
            # "5€" and "5 €", as much of Europe writes it, are said as "€5" is: "5 euros".
            tokens.append((CURRENCIES[trailing], k, k))
            k += 1
            continue
        if word.isdigit() and sign in CURRENCIES:
            # "$1,000" is said "1000 dollars", as "$1000" is: the word goes after the
            # thousands, not after the first group.
            last = _thousands_end(lowered, found, k)
            tokens.extend((found[j].group(), j, j) for j in range(k + 1, last + 1))
            tokens.append((CURRENCIES[sign], last, last))
            k = last + 1
            continue
        elif word.isdigit() and _PERCENT.match(lowered, match.end()):
            tokens.append(("percent", k, k))
        k += 1
    return [m.group() for m in found], _numbers_as_digits(tokens)


def compared_words(text: str) -> list[str]:
    """The words of ``text`` as compared for word error rate: written forms as said,
    numbers as single digits."""
    return [token for token, _, _ in _compared_tokens(text)[1]]
