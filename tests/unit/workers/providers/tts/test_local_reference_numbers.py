"""The offline voice is handed a long reference number (an order, an account, a case) as
people read one out: digit by digit, in groups, where it read "12345678" as "twelve million
three hundred forty five thousand ...". Amounts stay numbers."""

from __future__ import annotations

import pytest

from tests.unit.workers.providers.tts.test_local_dates_phones import _handed


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "Your reference is 12345678.",
            "Your reference is one two three four, five six seven eight.",
        ),
        ("Quote 123456 when you call.", "Quote one two three, four five six when you call."),
        ("Ticket 1234567 is open.", "Ticket one two three four, five six seven is open."),
        ("Case 123456789 closed.", "Case one two three, four five six, seven eight nine closed."),
        ("Claim AB123456 is approved.", "Claim AB one two three, four five six is approved."),
        # A labelled one was left as written, then read the same way.
        (
            "Your order 00481234 shipped.",
            "Your order zero zero four eight, one two three four shipped.",
        ),
        (
            "Account no. 4158672291.",
            "Account no. four one five eight, six seven two, two nine one.",
        ),
        # Written in groups after its label: said in the groups it is written in.
        (
            "Order number: 415-867-2291.",
            "Order number: four one five, eight six seven, two two nine one.",
        ),
        (
            "Account # 0012 3456 78.",
            "Account # zero zero one two, three four five six, seven eight.",
        ),
    ],
)
def test_a_reference_number_of_six_or_more_digits_is_said_digit_by_digit_in_groups(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("The loan is 1,250,000 in total.", "The loan is 1,250,000 in total."),
        ("It came to $1250000.", "It came to 1250000 dollars."),
        ("It came to 1250000 dollars.", "It came to 1250000 dollars."),
        ("It came to EUR 1250000.", "It came to EUR 1250000."),
        ("Pi is 3.14159265 or so.", "Pi is 3.14159265 or so."),
        ("It was 1250000.50 in all.", "It was 1250000.50 in all."),
        ("We had 12345 calls.", "We had 12345 calls."),
        ("Come in 2026 or 2027.", "Come in 2026 or 2027."),
        ("The F-150 and the A-320 are here.", "The F-150 and the A-320 are here."),
        ("COVID-19 rules apply.", "COVID-19 rules apply."),
        ("Between 2020-2025 we grew.", "Between 2020-2025 we grew."),
    ],
)
def test_amounts_short_numbers_and_decimals_stay_numbers(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Ticket 98765 is open.", "Ticket nine eight seven six five is open."),
        ("Your PIN 4321 works.", "Your PIN four three two one works."),
        ("Order 12345 is late.", "Order one two three four five is late."),
        ("Order number: 00123.", "Order number: zero zero one two three."),
    ],
)
def test_a_labelled_reference_of_four_or_five_digits_is_said_digit_by_digit(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # The voice read "A-5567-221" as "a five thousand five hundred sixty seven ...". A
        # letter joined to the next by a hyphen is named (as in "day"); alone it was the article.
        (
            "Your reference is A-5567-221.",
            "Your reference is A, five five six seven, two two one.",
        ),
        (
            "Invoice INV-2026-0042 is paid.",
            "Invoice I-N-V, two zero two six, zero zero four two is paid.",
        ),
        ("Case CS-12345678 opened.", "Case C-S, one two three four, five six seven eight opened."),
        ("Ref 2026-AB-0042 noted.", "Ref two zero two six, A-B, zero zero four two noted."),
    ],
)
def test_a_reference_of_letters_and_digits_is_said_letter_by_letter_and_digits_in_groups(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Call 1-800-FLOWERS today.", "Call one eight hundred FLOWERS today."),
        ("Call 1-888-GO-FEDEX.", "Call one eight eight eight GO-FEDEX."),
        ("Call 1-800-555-0199.", "Call one eight hundred, five five five, zero one nine nine."),
    ],
)
def test_a_toll_free_number_is_said_with_one_eight_hundred_as_people_say_it(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]
