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
        ("Order 12345 is late.", "Order 12345 is late."),
        ("Between 2020-2025 we grew.", "Between 2020-2025 we grew."),
    ],
)
def test_amounts_short_numbers_and_decimals_stay_numbers(
    monkeypatch: pytest.MonkeyPatch, written: str, said: str
) -> None:
    assert _handed(monkeypatch, written) == [said]
