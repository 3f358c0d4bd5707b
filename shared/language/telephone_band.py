"""A callback number guessed from the words a telephone line made of its digits, where no
hearing gave one whole.

A telephone line keeps roughly 300-3400 Hz: the hiss of "s", "f" and "th" goes, and the
engines write what is left. "Seven" becomes "heaven", "Hammond" or "Cameron", "five"
becomes "high", "two" becomes "do", "oh" becomes "know", "so" or "no", "nine" becomes "I":
"call me at Heaven, do Heaven, 3-5-4. I-I-Do-1" for 727 354 9921 (w42 of the spoken written
set), "816. Do do high, 6607" for 816 225 6607 (w65), "6, 3, 8, 5, 5, I know" for
...638 5590 (w49). ``numbers`` trusts such a word only with a digit on both sides, and
these are ordinary words, so none of those hearings gave a number.

Here, as a last resort, each such word is read as its digit where it touches a digit (or a
word already so read), in a chain, and a run that then makes a valid number is that
number's guess. The guess is reported for a person to confirm, never as certain
(``workers.review``): it is better than "number incomplete" to someone about to dial, and
no worse when wrong. The words and their digits were read off the engines' hearings of the
four spoken sets (171 voicemails): each word is here because it stood for its digit in at
least two hearings of different clips, and for it alone but for "I" and "I'm", which stood
for a nine 12 and 7 times and for a five 5 and 3 times (read as nine). On the four sets it
gave five right numbers where there was none (held-out c24, w42, w49, w65, w119) and one
wrong (vm05, "Cameron Cameron 3. I'm 2-0, 4-4-18", whose "I'm" was a five). Over the 6,283
written messages of the corpus and the scored sets, it guessed no number in the 5,581 that
give none read as American, nor in the 3,847 that give none read as British.
"""

from __future__ import annotations

import phonenumbers

from shared.language.numbers import digit_heard_as_word, runs_of, strict_digits
from shared.language.other_numbers import is_other_number
from shared.language.phone import CallbackNumber, to_e164
from shared.language.tokens import Tokens

BAND_DIGITS = {
    "heaven": "7", "hammond": "7", "cameron": "7",
    "do": "2",
    "know": "0", "no": "0", "so": "0", "oh": "0", "o": "0",
    "made": "8",
    "high": "5",
    "i": "9", "i'm": "9",
}  # fmt: skip
# A run must keep this many digits the engine wrote as digits: the guess stands on them.
MIN_HEARD_DIGITS = 4


def _band_digit(word: str) -> str | None:
    return BAND_DIGITS.get(word) or digit_heard_as_word(word)


def _read_over_the_band(words: tuple[str, ...]) -> tuple[list[str | None], set[int]]:
    """Each token's digits, the band's words read where they touch a digit; and which
    tokens were so read."""
    read = strict_digits(words)
    guessed: set[int] = set()
    changed = True
    while changed:
        changed = False
        for i, word in enumerate(words):
            if read[i] is not None or (digit := _band_digit(word)) is None:
                continue
            if (i > 0 and read[i - 1] is not None) or (
                i + 1 < len(words) and read[i + 1] is not None
            ):
                read[i] = digit
                guessed.add(i)
                changed = True
    return read, guessed


def _at_home(e164: str, region: str) -> bool:
    """Whether the number is in the caller's own country: a word read as a digit must not
    dial abroad. "Call me the minute you know, 01279 496 0552" (a digit too many, of the
    corpus) read "know" as a zero before it, and "00" is the international prefix."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) == region.upper()


def guess_over_the_band(tokens: Tokens, region: str) -> CallbackNumber | None:
    """The first valid number made by reading the band's words as digits, as a guess (its
    guessed digits in ``from_letters``), or None."""
    read, guessed = _read_over_the_band(tokens.low)
    for run in runs_of(tokens.low, tokens.raw, read, guessed):
        # Each word the band made stands for one digit.
        heard = len(run.digits) - len(run.from_letters)
        if not run.guessed or heard < MIN_HEARD_DIGITS or is_other_number(tokens, run):
            continue
        e164 = to_e164(run.digits, region, international=run.international)
        if e164 is not None and _at_home(e164, region):
            return CallbackNumber(
                e164,
                None,
                run.start,
                run.end,
                heard_at=((run.start, run.end),),
                guessed=True,
                heard=run.digits,
                from_letters=run.from_letters,
            )
    return None
