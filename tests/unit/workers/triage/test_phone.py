from __future__ import annotations

import pytest

from workers.triage.phone import find_callback_number, speak_number, to_e164
from workers.triage.tokens import tokenize


@pytest.mark.parametrize(
    ("digits", "region", "expected"),
    [
        ("4155550198", "US", "+14155550198"),
        ("14155550198", "US", "+14155550198"),
        ("01144207946095", "US", "+44207946095"),
        ("02079460958", "GB", "+442079460958"),
        ("442079460958", "GB", "+442079460958"),
        ("030123456", "DE", "+4930123456"),
        ("0142685300", "FR", "+33142685300"),
    ],
)
def test_national_numbers_become_e164(digits: str, region: str, expected: str) -> None:
    assert to_e164(digits, region) == expected


@pytest.mark.parametrize(
    ("digits", "region"),
    [("552123456", "US"), ("1234567890", "US"), ("4155550198", "ZZ")],
)
def test_unrecognised_shapes_are_not_normalised(digits: str, region: str) -> None:
    assert to_e164(digits, region) is None


def test_spoken_digits_after_call_me_back_become_e164() -> None:
    text = "please call me back at four one five five five five zero one nine eight"
    assert find_callback_number(tokenize(text), "US") == "+14155550198"


def test_written_number_with_punctuation_becomes_e164() -> None:
    text = "Call me at (415) 555-0198 tomorrow at 3pm"
    assert find_callback_number(tokenize(text), "US") == "+14155550198"


def test_number_with_a_plus_keeps_its_country() -> None:
    text = "Reach me on +44 20 7946 0958."
    assert find_callback_number(tokenize(text), "US") == "+442079460958"


def test_unnormalisable_number_is_returned_as_plain_digits() -> None:
    text = "call me back up by five five two one two three four five six"
    assert find_callback_number(tokenize(text), "US") == "552123456"


def test_runs_shorter_than_seven_digits_are_not_callback_numbers() -> None:
    assert find_callback_number(tokenize("call me at five five five one two"), "US") is None


def test_runs_longer_than_fifteen_digits_are_not_callback_numbers() -> None:
    text = "my card is 4111 1111 1111 1111 1111"
    assert find_callback_number(tokenize(text), "US") is None


def test_order_number_is_not_taken_for_the_callback_number() -> None:
    text = "my order number is 12345678 and you can reach me at 206 555 7712"
    assert find_callback_number(tokenize(text), "US") == "+12065557712"


def test_number_after_a_cue_wins_over_an_earlier_one() -> None:
    text = "i called 800 555 1212 yesterday but my number is 415 555 0198"
    assert find_callback_number(tokenize(text), "US") == "+14155550198"


def test_home_number_is_read_in_groups_without_country_code() -> None:
    spoken = speak_number("+14155550198", "US")
    assert spoken == "four one five, five five five, zero one nine eight"


def test_home_number_is_read_with_its_trunk_prefix() -> None:
    spoken = speak_number("+442079460958", "GB")
    assert spoken == "zero two zero, seven nine four six, zero nine five eight"


def test_foreign_number_is_read_with_plus_and_country_code() -> None:
    assert speak_number("+442079460958", "US").startswith("plus four four, two zero seven")


def test_plain_digits_are_read_in_threes() -> None:
    assert speak_number("552123456", "US") == "five five two, one two three, four five six"
