from __future__ import annotations

import pytest

from shared.language.heard_twice import (
    Hearing,
    every_digit_in,
    heard_twice,
    hearing_of,
    may_hide_a_triple,
)
from shared.language.phone import CallbackNumber


def _h(digits: str, guessed: bool = False) -> Hearing:
    return Hearing(digits, guessed)


def test_two_whole_hearings_by_two_engines_confirm_a_number() -> None:
    assert heard_twice("+19195826634", _h("19195826634"), None, _h("9195826634"))


def test_one_whole_hearing_alone_confirms_nothing() -> None:
    assert not heard_twice("+19195826634", _h("19195826634"), None, None)


def test_partial_hearings_confirm_a_number_when_both_engines_heard_each_digit() -> None:
    # Whisper dropped the 3, its rehearing the 5 and 8, Moonshine heard the whole number.
    first = _h("919582664")
    assert heard_twice("+19195826634", first, _h("91926634"), _h("19195826634"))
    assert not heard_twice("+19195826634", first, None, _h("91958266"))


def test_the_other_engines_hearing_of_the_stretch_holds_the_digits_its_whole_hearing_missed() -> (
    None
):
    # vm11 of the voicemail set: Moonshine's whole hearing missed a digit Whisper heard twice.
    first, again, other = _h("1179284410"), _h("1179284410"), _h("117928410")
    assert not heard_twice("+441179284410", first, again, other)
    assert heard_twice("+441179284410", first, again, other, _h("01179284410"))


def test_the_other_engines_hearing_of_the_stretch_can_contradict_the_number() -> None:
    first, other = _h("19195826634"), _h("9195826634")
    assert heard_twice("+19195826634", first, None, other)
    assert not heard_twice("+19195826634", first, None, other, _h("9195826684"))
    # Alone it confirms nothing for the other engine's whole hearing that is missing.
    assert not heard_twice("+19195826634", first, None, None, _h("9195826634"))


def test_the_first_engines_two_hearings_do_not_confirm_a_digit_between_them() -> None:
    # w73: Whisper wrote "oh" as 4 in its hearing and its rehearing; Moonshine dropped it.
    number = "+441614964587"
    first, rehearing = _h("0161496487"), _h("1614964587")
    assert not heard_twice(number, first, rehearing, _h("0161496587"))
    assert not heard_twice(number, first, rehearing, None)
    assert heard_twice(number, first, rehearing, _h("01614964587"))


def test_a_hearing_with_a_digit_the_number_lacks_contradicts_it() -> None:
    first = _h("919582664")
    assert not heard_twice("+19195826634", first, _h("91926634"), _h("19195826684"))
    assert not heard_twice("+19195826634", first, _h("91926684"), _h("19195826634"))


def test_a_hearing_with_one_digit_too_many_contradicts_it() -> None:
    whole = _h("9195826634")
    assert not heard_twice("+19195826634", _h("919582666634"), whole, whole)


def test_a_digit_of_a_run_held_once_by_a_hearing_is_held_by_neither_of_its_places() -> None:
    # One 2 for "22": which of the two it heard cannot be told.
    assert not heard_twice("+13052289461", _h("13052289461"), None, _h("305289461"))


def test_a_first_hearing_that_missed_several_digits_cannot_vouch_for_them() -> None:
    # Whisper wrote "5, 9, 0" as "I know"; its rehearing and Moonshine agreed on 500.
    first = _h("3127765")
    assert not heard_twice("+13127765500", first, _h("3127765500"), _h("13127765500"))


def test_a_first_hearing_that_missed_one_digit_may_vouch() -> None:
    first = _h("312776550")
    assert heard_twice("+13127765500", first, _h("3127765500"), _h("13127765500"))


def test_a_digit_read_from_a_letter_holds_nothing_but_can_still_contradict() -> None:
    number = "+447911123456"
    assert not heard_twice(number, _h("07911123456"), None, _h("07911123456", guessed=True))
    assert not heard_twice(
        number, _h("07911123456"), _h("07811123456", guessed=True), _h("07911123456")
    )


def test_the_trunk_prefix_and_country_code_need_no_second_hearing() -> None:
    # "oh one one seven ..." heard whole once; Moonshine dropped the "oh", the rehearing too:
    # the national number itself was heard by both engines.
    number = "+441179284410"
    assert heard_twice(number, _h("01179284410"), _h("1179284410"), _h("1179284410"))


def test_a_rehearing_of_the_number_said_twice_holds_what_either_repetition_heard() -> None:
    # vm02: the rehearing heard "617 238 4410, again, 617 238 4410" with "heaven" for the 7,
    # Whisper's own hearing dropped the 3, Moonshine heard it whole.
    rehearing = every_digit_in("6-1 heaven, 2-3-8, 4-4-1-0. Again, 6-1 heaven, 2-3-8, 4-4-1-0.")
    assert rehearing is not None
    number, first = "+16172384410", _h("617284410")
    assert heard_twice(number, first, rehearing, _h("16172384410"))
    # Without the rehearing, only Moonshine heard the 3.
    assert not heard_twice(number, first, None, _h("16172384410"))


def test_a_hearing_that_splits_only_into_short_parts_holds_a_digit_too_many() -> None:
    # Each part fits the number, but one is no hearing of all of it: one 6 is too many.
    rehearing = every_digit_in("919 582 66, then 634")
    assert rehearing is not None
    whole = _h("9195826634")
    assert not heard_twice("+19195826634", whole, rehearing, whole)


@pytest.mark.parametrize(
    ("groups", "hides"),
    [
        (["713", "322", "6958"], True),  # "triple two" as the engines write it
        (["7133226958"], True),
        (["650", "388", "1127"], True),
        (["617", "883", "2204"], False),  # the 3 ends one group, the pair starts the next
        (["3", "8", "8"], False),  # said one by one
        (["508", "333", "1147"], False),  # "triple three" is 333 whichever way it is heard
        (["415", "867", "2291"], False),
    ],
)
def test_a_three_before_a_pair_in_one_group_may_be_a_triple(groups: list[str], hides: bool) -> None:
    assert may_hide_a_triple(groups) is hides


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
    heard = every_digit_in("at 919, I made 2, 6, 6, 3, 4.")
    assert heard == Hearing("91926634", False, ("919", "26634"))
    guessed = every_digit_in("Simply on O-7-I-1-1-1-2-3-4-5-6.")
    assert guessed is not None
    assert (guessed.digits, guessed.guessed) == ("07911123456", True)
    assert every_digit_in("no digits at all") is None


def test_what_is_no_number_in_e164_is_never_heard_twice() -> None:
    assert not heard_twice("555-0198", _h("5550198"), None, _h("5550198"))
