"""A callback number given in parts: its area code named apart (shared.language.area_codes),
or a time said just before it (shared.language.phone)."""

from __future__ import annotations

import pytest

from shared.language.phone import find_callback
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    "text",
    [
        "the area code is 617 and the number is 555-0142",
        "555-0142, area code 617",
        "617-555-0142, area code 617",
        "my number is five five five oh one four two, area code six one seven",
        "Call me back at 9. 617-555-0142",
        "call me back at 9 617 555 0142",
        "call me back at nine six one seven five five five zero one four two",
    ],
)
def test_a_number_said_in_parts_is_read_whole(text: str) -> None:
    found = find_callback(tokenize(text), "US")
    assert (found.e164, found.partial) == ("+16175550142", None)


def test_a_time_before_a_gb_mobile_is_not_read_as_its_first_digit() -> None:
    assert find_callback(tokenize("ring me at 7 07912 345 678"), "GB").e164 == "+447912345678"


@pytest.mark.parametrize(
    "text",
    [
        "area code 617 and my order number is 5550142",  # an order, no number
        "the area code is 617 and the number is 555-014",  # a digit short: no number made up
        "call me back at 13 617 555 0142",  # no hour: left as heard
    ],
)
def test_parts_that_make_no_number_give_none(text: str) -> None:
    assert find_callback(tokenize(text), "US").e164 is None
