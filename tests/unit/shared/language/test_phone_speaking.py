"""A phone number read aloud as people say it: in its groups, with its trunk prefix or country
code, toll-free with its 1."""

from __future__ import annotations

from shared.language.phone import speak_number


def test_home_number_is_read_in_groups_without_country_code() -> None:
    spoken = speak_number("+14155550198", "US")
    assert spoken == "four one five, five five five, zero one nine eight"


def test_home_number_is_read_with_its_trunk_prefix() -> None:
    spoken = speak_number("+442079460958", "GB")
    assert spoken == "zero two zero, seven nine four six, zero nine five eight"


def test_foreign_number_is_read_with_plus_and_country_code_in_its_own_groups() -> None:
    spoken = speak_number("+442079460958", "US")
    assert spoken == "plus four four, two zero, seven nine four six, zero nine five eight"


def test_a_home_toll_free_number_is_read_with_the_1_it_is_dialled_with() -> None:
    # As people say it: "one eight hundred", where it was "one, eight zero zero".
    assert speak_number("+18005550199", "US") == (
        "one eight hundred, five five five, zero one nine nine"
    )
    assert speak_number("+18885550199", "US") == (
        "one eight eight eight, five five five, zero one nine nine"
    )
    # Where the trunk prefix is in the written form already, it is not said twice.
    assert speak_number("+448001234567", "GB").startswith("zero eight zero zero,")


def test_plain_digits_are_read_in_threes() -> None:
    assert speak_number("552123456", "US") == "five five two, one two three, four five six"
