from __future__ import annotations

import pytest

from shared.language.heard_twice import Hearing, every_digit_in, heard_twice, hearing_of
from shared.language.phone import CallbackNumber


def _h(digits: str, guessed: bool = False) -> Hearing:
    return Hearing(digits, guessed)


def test_two_whole_hearings_alike_confirm_a_number() -> None:
    assert heard_twice("+19195826634", _h("19195826634"), [_h("9195826634")])


def test_one_whole_hearing_alone_confirms_nothing() -> None:
    assert not heard_twice("+19195826634", _h("19195826634"), [None])


def test_partial_hearings_confirm_a_number_when_each_digit_was_heard_twice() -> None:
    # Whisper dropped the 3, its rehearing the 5 and 8, Moonshine heard the whole number.
    first = _h("919582664")
    assert heard_twice("+19195826634", first, [_h("91926634"), _h("19195826634")])
    assert not heard_twice("+19195826634", first, [_h("19195826634")])


def test_a_hearing_with_a_digit_the_number_lacks_contradicts_it() -> None:
    first = _h("919582664")
    assert not heard_twice("+19195826634", first, [_h("91926634"), _h("19195826684")])


def test_a_hearing_with_one_digit_too_many_contradicts_it() -> None:
    assert not heard_twice("+19195826634", _h("919582666634"), [_h("9195826634")] * 2)


def test_a_digit_of_a_run_held_once_by_a_hearing_is_held_by_neither_of_its_places() -> None:
    # One 2 for "22": which of the two it heard cannot be told.
    first = _h("305289461")
    assert not heard_twice("+13052289461", first, [_h("305289461"), _h("13052289461")])


def test_a_first_hearing_that_missed_several_digits_cannot_vouch_for_them() -> None:
    # Whisper wrote "5, 9, 0" as "I know"; its rehearing and Moonshine agreed on 500.
    first = _h("3127765")
    assert not heard_twice("+13127765500", first, [_h("3127765500"), _h("13127765500")])


def test_a_first_hearing_that_missed_one_digit_may_vouch() -> None:
    first = _h("312776550")
    assert heard_twice("+13127765500", first, [_h("3127765500"), _h("13127765500")])


def test_a_digit_read_from_a_letter_holds_nothing_but_can_still_contradict() -> None:
    number = "+447911123456"
    assert not heard_twice(number, _h("07911123456"), [_h("07911123456", guessed=True)])
    assert not heard_twice(
        number, _h("07911123456"), [_h("07911123456"), _h("07811123456", guessed=True)]
    )


def test_the_trunk_prefix_and_country_code_need_no_second_hearing() -> None:
    # "oh one one seven ..." heard whole once; Moonshine dropped both "oh"s, the rehearing
    # the first: the national number itself was heard twice.
    number = "+441179284410"
    assert heard_twice(number, _h("01179284410"), [_h("1179284410"), _h("117928441")])


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (CallbackNumber("+14155550198", None), _h("14155550198")),
        (CallbackNumber(None, "4155550", guessed=True), _h("4155550", guessed=True)),
        (CallbackNumber(None, None), None),
    ],
)
def test_a_hearing_is_what_the_number_finder_found(
    found: CallbackNumber, expected: Hearing | None
) -> None:
    assert hearing_of(found) == expected


def test_every_digit_of_a_rehearing_counts_though_words_split_them() -> None:
    assert every_digit_in("at 919, I made 2, 6, 6, 3, 4.") == _h("91926634")
    assert every_digit_in("Simply on O-7-I-1-1-1-2-3-4-5-6.") == _h("07911123456", True)
    assert every_digit_in("no digits at all") is None


def test_what_is_no_number_in_e164_is_never_heard_twice() -> None:
    assert not heard_twice("555-0198", _h("5550198"), [_h("5550198")])
