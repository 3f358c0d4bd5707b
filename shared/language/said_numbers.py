"""A reply's numbers as written (what the inbox and exports show) and as said (what the
voice is handed): a reply keeps "(415) 555-0198", and the tts stage spells it "four one
five, five five five, zero one nine eight", where a voice read digits as a large number."""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers
from phonenumbers import PhoneNumberFormat

from shared.language.phone import speak_number, to_e164

# A run of digits a voice would read as one large number: a phone number, an order's.
_DIGIT_RUN = re.compile(r"\+?(?:\(\d[\d ().-]{5,}|\d[\d ().-]{5,})\d")
_SPOKEN_DIGITS = range(7, 16)  # shorter is a count or a year; longer no number to call


def write_number(number: str, region: str) -> str:
    """An E.164 number as people write it: nationally at home ("(415) 555-0198"), with its
    country code abroad ("+44 20 7946 0958"); what is no valid number, as it is."""
    try:
        parsed = phonenumbers.parse(number, region.upper())
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    home = phonenumbers.region_code_for_number(parsed) == region.upper()
    style = PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def written_numbers(text: str, region: str) -> str:
    """``text`` with its runs of seven to fifteen digits written as numbers are: a valid
    phone number in its written form (``write_number``), others as they are."""
    return _each_run(
        text,
        region,
        lambda number, _digits, found: write_number(number, region) if number else found,
    )


def said_numbers(text: str, region: str) -> str:
    """``text`` with its runs of seven to fifteen digits spelled for a voice, digit by digit
    in the groups a number is said in (``speak_number``)."""
    return _each_run(
        text, region, lambda number, digits, _found: speak_number(number or digits, region)
    )


def _each_run(text: str, region: str, rewrite: Callable[[str | None, str, str], str]) -> str:
    """``text`` with each run of seven to fifteen digits replaced by ``rewrite(number, digits,
    run)``: the run's E.164 number (None where it is no valid one), its digits, the run."""

    def replaced(match: re.Match[str]) -> str:
        found = match.group(0)
        digits = re.sub(r"\D", "", found)
        if len(digits) not in _SPOKEN_DIGITS:
            return found
        number = to_e164(digits, region, international=found.startswith("+"))
        return rewrite(number, digits, found)

    return _DIGIT_RUN.sub(replaced, text)
