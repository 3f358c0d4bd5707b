"""The offline voice is handed dates and phone numbers as they are said."""

from __future__ import annotations

import numpy as np
import pytest

import workers.providers.tts.local as local
from shared.settings import LocalEngineSettings
from workers.providers.tts.local import PiperTts


def _handed(monkeypatch: pytest.MonkeyPatch, written: str, region: str = "US") -> list[str]:
    heard: list[str] = []

    def speak(text: str, **_: float) -> tuple[np.ndarray, int]:
        heard.append(text)
        return np.ones(10, dtype=np.int16), 22_050

    monkeypatch.setattr(local, "speak", speak)
    PiperTts(LocalEngineSettings(default_region=region)).synthesize(written, None, "wav")
    return heard


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # The voice read "12 slash 07 slash 2026".
        ("Your visit is on 12/07/2026.", "Your visit is on December 7th, 2026."),
        ("We are closed 7/4 and 12/25.", "We are closed July 4th and December 25th."),
        ("Since 1/1/26 at the latest.", "Since January 1st, 2026 at the latest."),
        # Not a date: left as written.
        ("We answer 24/7.", "We answer 24/7."),
        ("Not 13/45 either.", "Not 13/45 either."),
        # Without a year and without a word saying it is a date: a score, a page, a share.
        ("You rated us 4/5 stars.", "You rated us 4/5 stars."),
        ("See page 3/4 of the form.", "See page 3/4 of the form."),
        ("Only 9/10 were shipped.", "Only 9/10 were shipped."),
        # A weekday or a preposition says it is one.
        ("See you Friday 7/4.", "See you Friday July 4th."),
        ("Pay by 3/15, please.", "Pay by March 15th, please."),
    ],
)
def test_a_date_with_slashes_reaches_the_voice_as_it_is_said(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


def test_a_date_is_read_day_first_where_the_region_writes_it_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _handed(monkeypatch, "Come on 12/07/2026.", "GB") == ["Come on July 12th, 2026."]


@pytest.mark.parametrize(
    "written",
    ["Call 415-867-2291 today.", "Call (415) 867 2291 today.", "Call 415.867.2291 today."],
)
def test_a_phone_number_in_digits_is_said_digit_by_digit(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    # The voice read "415-867-2291" as a large number.
    assert _handed(monkeypatch, written) == [
        "Call four one five, eight six seven, two two nine one today."
    ]


def test_a_phone_number_of_another_country_is_said_with_its_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _handed(monkeypatch, "Call +44 20 7946 0958.") == [
        "Call plus four four, two zero, seven nine four six, zero nine five eight."
    ]


def test_amounts_and_order_numbers_are_not_taken_for_phone_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An order number is said as a reference number, in fours (not a phone number's groups),
    # where it was left as written and the voice read it as "twelve million ...".
    assert _handed(monkeypatch, "Order 12345678 came to $1,200.") == [
        "Order one two three four, five six seven eight came to 1,200 dollars."
    ]


@pytest.mark.parametrize(
    "written",
    [
        "Update the app to v1/2 tonight.",  # a version: "vJanuary 2nd"
        "Mix it 1.5/2 with water.",  # a decimal's digits: "1.May 2nd"
        "Buy 2/3rds of it.",  # glued to a word after it: "February 3rdrds"
    ],
)
def test_a_slashed_pair_inside_a_word_or_number_is_no_date(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    assert _handed(monkeypatch, written) == [written]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # It was "March 15th, 2085": a two-digit year was always this century.
        ("Your date of birth is 3/15/85.", "Your date of birth is March 15th, 1985."),
        ("Since 12/31/69.", "Since December 31st, 1969."),
        ("Until 1/1/68.", "Until January 1st, 2068."),
    ],
)
def test_a_two_digit_year_is_read_in_the_century_strptime_gives_it(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # The voice read "one slash two".
        ("It is 1/2.", "It is one half."),
        ("Take 1/2 off today.", "Take one half off today."),
        ("Add 3/4 of a cup.", "Add three quarters of a cup."),
        ("About 2/3 agreed.", "About two thirds agreed."),
        ("It takes 2 1/2 hours.", "It takes 2 and a half hours."),
        # It was "March 4th-inch" before fractions were left as written.
        ("Bring a 3/4-inch pipe.", "Bring a three-quarter-inch pipe."),
        # What counts, a score or an uncommon fraction stays as written.
        ("See page 3/4 of the form.", "See page 3/4 of the form."),
        ("Only 9/10 were shipped.", "Only 9/10 were shipped."),
    ],
)
def test_a_common_fraction_is_said_in_words(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


def test_a_date_in_the_year_0000_is_said_as_its_digits(monkeypatch: pytest.MonkeyPatch) -> None:
    # There is no year 0: it was "December 7th, 0".
    assert _handed(monkeypatch, "Born 12/07/0000.") == [
        "Born one two, zero seven, zero zero zero zero."
    ]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "Your order 4158672291 shipped.",
            "Your order four one five eight, six seven two, two nine one shipped.",
        ),
        (
            "Order number: 415 8672291.",
            "Order number: four one five, eight six seven two two nine one.",
        ),
        (
            "Account no. 4158672291.",
            "Account no. four one five eight, six seven two, two nine one.",
        ),
    ],
)
def test_a_labelled_number_is_not_said_as_a_phone_number(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    # 415-867-2291 is a valid US number, and was said "four one five, eight six seven, ...".
    # Labelled, it is a reference number: said in fours, or in the groups it is written in.
    assert _handed(monkeypatch, written) == [said]


def test_a_toll_free_number_is_said_with_its_1(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _handed(monkeypatch, "Call 1-800-555-0199 now.") == [
        "Call one eight hundred, five five five, zero one nine nine now."
    ]
