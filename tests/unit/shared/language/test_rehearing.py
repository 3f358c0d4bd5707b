from __future__ import annotations

import pytest

from shared.language.phone import CallbackNumber, find_callback
from shared.language.rehearing import (
    DETAILS_KEY,
    OTHER_REHEARING_KEY,
    SECOND_ENGINE_KEY,
    agrees,
    from_both_rehearings,
    from_rehearing,
    from_second_engine,
    from_two_partials,
    other_rehearing_text,
    reads_three_as_triple,
    rehearing_text,
    second_engine_text,
    settled_by_the_stretch,
    settles_a_letter,
)
from shared.language.tokens import tokenize
from shared.models import Transcript


def _heard(text: str, region: str = "US") -> CallbackNumber:
    return find_callback(tokenize(text), region)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("214552806", "2145528806"),  # the first dropped a digit
        ("2145806", "2145528806"),  # ... or several
        ("079111123456", "07911123456"),  # the first heard one digit too many
        ("2145528806", "2145528806"),
    ],
)
def test_hearings_that_differ_only_by_missed_digits_agree(first: str, second: str) -> None:
    assert agrees(first, second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("7132226", "7133226958"),  # a 2 heard as a 3: a different digit, not a missed one
        ("0791111123456", "07911123456"),  # two digits too many
        ("9145528806", "2145528806"),
    ],
)
def test_hearings_that_hear_a_digit_differently_do_not_agree(first: str, second: str) -> None:
    assert not agrees(first, second)


def test_a_second_hearing_completes_a_number_whose_digits_the_first_dropped() -> None:
    first = _heard("please call me at 2-1-4-5-5-2-8-0-6")
    assert first.e164 is None
    assert first.partial == "214552806"
    found = from_rehearing(first, _heard("2-1-4, double 5-2, double 8-0-6.", "US"))
    assert found is not None
    assert found.e164 == "+12145528806"


def test_a_second_hearing_drops_the_one_digit_too_many_of_a_national_number() -> None:
    first = _heard("please ring me back urgently on 07-9-111-123-456", "GB")
    assert first.e164 is None
    assert first.partial == "079111123456"
    found = from_rehearing(first, _heard("on 0-7-9-1-1-1-2-3-4-5-6.", "GB"))
    assert found is not None
    assert found.e164 == "+447911123456"


def test_a_second_hearing_that_hears_a_digit_differently_is_not_taken() -> None:
    first = _heard("call me at 713, triple 2, 6")
    assert first.partial == "7132226"
    assert from_rehearing(first, _heard("713-322-6958", "US")) is None


def test_a_second_hearing_without_a_valid_number_is_not_taken() -> None:
    first = _heard("call me at 2-2-8-6-6-1-3")
    assert from_rehearing(first, _heard("2, 2, 8, 6, 6, 1, 3", "US")) is None


def test_a_valid_first_hearing_is_never_replaced() -> None:
    first = _heard("call me at 415-867-2291")
    assert first.e164 == "+14158672291"
    assert from_rehearing(first, _heard("415-867-2291", "US")) is None


def test_no_first_digits_means_nothing_to_check_a_second_hearing_against() -> None:
    assert from_rehearing(_heard("please call me back"), _heard("415-867-2291", "US")) is None


def test_the_rehearing_text_is_read_from_the_transcript_details() -> None:
    def of(details: dict[str, object]) -> str | None:
        return rehearing_text(Transcript(text="x", provider="local", details=details))

    assert of({DETAILS_KEY: {"text": "415-867-2291", "start_s": 1.0, "end_s": 5.0}}) == (
        "415-867-2291"
    )
    assert of({}) is None
    assert of({DETAILS_KEY: {"text": "  "}}) is None
    assert of({DETAILS_KEY: "415-867-2291"}) is None


def test_another_engines_number_stands_in_where_the_first_heard_no_digits() -> None:
    found = from_second_engine(
        _heard("please call me back"), _heard("call me at 415-867-2291", "US")
    )
    assert found is not None
    assert found.e164 == "+14158672291"


def test_another_engines_number_is_taken_where_it_holds_the_first_engines_digits() -> None:
    first = _heard("my number is I'm 2, 2, 8, 6, 6, 1, 3")
    found = from_second_engine(first, _heard("My number is 952-208-6613.", "US"))
    assert found is not None
    assert found.e164 == "+19522086613"


def test_another_engines_number_is_taken_where_the_first_heard_one_digit_too_many() -> None:
    first = _heard("please send someone right away 615, 304, 77726")
    found = from_second_engine(first, _heard("please send someone right away 615-304-7726", "US"))
    assert found is not None
    assert found.e164 == "+16153047726"


def test_another_engines_number_is_not_taken_where_the_first_heard_two_digits_too_many() -> None:
    first = _heard("please send someone right away 615, 304, 777226")
    assert from_second_engine(first, _heard("right away 615-304-7726", "US")) is None


def test_another_engines_number_that_contradicts_the_first_engines_digits_is_not_taken() -> None:
    first = _heard("call me at 2-2-8-6-6-1-3")
    assert from_second_engine(first, _heard("My number is 952-208-6614.", "US")) is None


# w125 of the spoken unseen set: Whisper wrote "I" for a "five" and a "nine", read as 9s.
LETTERED = "Could you ring me on 01214-I-6, 06-I-2? Cheers!"


def test_another_engines_number_settles_a_digit_the_first_read_from_a_letter() -> None:
    first = _heard(LETTERED, "GB")
    assert first.e164 == "+441214960692"
    found = settles_a_letter(first, _heard("Could you ring me on 0121 496 0652?", "GB"))
    assert found is not None
    assert found.e164 == "+441214960652"


@pytest.mark.parametrize(
    "other",
    [
        "ring me on 0121 497 0652",  # a digit the first heard as a digit differs
        "ring me on 0121 496 06522",  # not the same length as heard
        "ring me on 0121 496 0692",  # the same number
        "ring me back please",  # none
    ],
)
def test_another_engines_number_settles_nothing_but_letters(other: str) -> None:
    assert settles_a_letter(_heard(LETTERED, "GB"), _heard(other, "GB")) is None


def test_a_number_heard_with_no_letter_is_never_settled_by_another_engine() -> None:
    first = _heard("ring me on 0121 496 0692", "GB")
    assert settles_a_letter(first, _heard("ring me on 0121 496 0652", "GB")) is None


# vm15 of the voicemail set, "seven one three, triple two, six nine five eight": Whisper's
# own hearing, partial, and Moonshine's, which wrote the "triple" as a 3.
TRIPLED = "I want somebody to call me today, 713, triple 2, 6 I'm 5 days"


def test_another_engines_three_before_a_pair_is_read_as_the_triple_the_first_heard() -> None:
    first = _heard(TRIPLED)
    assert (first.e164, first.partial) == (None, "7132226")
    other = _heard("I want somebody to call me today. 713-322-6958")
    assert from_second_engine(first, other) is None  # the 3 where Whisper heard a 2
    found = reads_three_as_triple(first, other)
    assert found is not None
    assert (found.e164, found.guessed) == ("+17132226958", True)


@pytest.mark.parametrize(
    ("first", "other"),
    [
        # no "triple" in the first hearing: its 222 may be three twos said one by one
        ("call me today, 713, 2, 2, 2, 6", "call me today 713-322-6958"),
        # a triple of another digit
        ("call me today, 713, triple 5, 6", "call me today 713-322-6958"),
        # read as a triple, the other number still differs at a digit the first heard
        (TRIPLED, "call me today 714-322-6958"),
        # "triple three" is 333 however it is heard
        ("best number is 508 triple 3, 11", "best number is 508-333-1147"),
        # the other engine heard no valid number
        (TRIPLED, "call me today 713-322-69"),
        # the first heard a whole number: nothing to mend
        ("call me on 713-222-6958, triple 2 is the exchange", "call me 713-322-6958"),
    ],
)
def test_a_three_is_read_as_a_triple_only_where_that_makes_the_hearings_agree(
    first: str, other: str
) -> None:
    assert reads_three_as_triple(_heard(first), _heard(other)) is None


def test_another_engine_never_replaces_a_whole_number_or_gives_a_partial_one() -> None:
    whole = _heard("call me at 415-867-2291")
    assert from_second_engine(whole, _heard("call me at 212-555-0188", "US")) is None
    assert from_second_engine(_heard("call me back"), _heard("call me at 415-867", "US")) is None


def test_another_engines_text_is_read_from_the_transcript_details() -> None:
    def of(details: dict[str, object]) -> str | None:
        return second_engine_text(Transcript(text="x", provider="local", details=details))

    assert of({SECOND_ENGINE_KEY: {"engine": "moonshine", "text": "call 415"}}) == "call 415"
    assert of({SECOND_ENGINE_KEY: {"engine": "moonshine", "text": ""}}) is None
    assert of({DETAILS_KEY: {"text": "call 415"}}) is None


def test_another_engines_hearing_of_the_reheard_stretch_is_read_from_the_details() -> None:
    def of(details: dict[str, object]) -> str | None:
        return other_rehearing_text(Transcript(text="x", provider="local", details=details))

    heard = {"engine": "moonshine", "text": "305-829-4416"}
    assert of({OTHER_REHEARING_KEY: heard}) == "305-829-4416"
    assert of({OTHER_REHEARING_KEY: {"engine": "moonshine", "text": " "}}) is None
    assert of({SECOND_ENGINE_KEY: heard, DETAILS_KEY: heard}) is None


# w105 of the spoken w101-w130: the first hearing, and both engines' of the stretch alone.
FIRST_2004 = "I would just like an update. 808-2004-6631."


def test_both_engines_rehearing_one_valid_number_make_it_where_the_first_disputes_it() -> None:
    first, again = _heard(FIRST_2004), _heard("808-274-6631.")
    assert from_rehearing(first, again) is None  # "2004" is no dropped digit
    found = from_both_rehearings(first, again, _heard("808-274-6631"))
    assert found is not None
    assert found.e164 == "+18082746631"


@pytest.mark.parametrize(
    ("first", "again", "other_again"),
    [
        (FIRST_2004, "808-274-6631.", "808-274-6621"),  # the rehearings differ
        (FIRST_2004, "808-274-66", "808-274-66"),  # alike, but no valid number
        ("call me at 808-274-6631", "808-274-6621", "808-274-6621"),  # the first was whole
    ],
)
def test_both_rehearings_make_a_number_only_where_they_agree_on_a_valid_one_the_first_lacks(
    first: str, again: str, other_again: str
) -> None:
    assert from_both_rehearings(_heard(first), _heard(again), _heard(other_again)) is None


# vm27 of the voicemail set, 321 440 7752: the engines' whole hearings, and their hearings
# of the number's stretch alone.
WHISPER_7782 = "My number is 3-2-1, 4-4-0, 7-7-8-2."
MOONSHINE_7752 = "My number is 3-2-1, 4-4-0, 7-7-5-2."


def test_a_disputed_number_is_the_one_more_hearings_of_its_stretch_hold() -> None:
    first, other = _heard(WHISPER_7782), _heard(MOONSHINE_7752)
    alone = (_heard("3, 2, 1, 4, 4, 7, 7, 5, 2."), _heard("321-440-7752"))
    found = settled_by_the_stretch(first, other, alone)
    assert found is not None
    assert found.e164 == "+13214407752"


@pytest.mark.parametrize(
    "alone",
    [
        ("321-440-7752", "321-440-7782"),  # one each: the first engine's stays
        ("321-440-77", "call me back"),  # held in both
        ("321-440-7762", "321-440-7762"),  # held in neither
    ],
)
def test_a_disputed_number_stays_the_first_engines_unless_more_stretch_hearings_hold_the_other(
    alone: tuple[str, str],
) -> None:
    hearings = tuple(_heard(text) for text in alone)
    first, other = _heard(WHISPER_7782), _heard(MOONSHINE_7752)
    assert settled_by_the_stretch(first, other, hearings) is None
    assert settled_by_the_stretch(first, other, (None, None)) is None


def test_only_two_different_whole_numbers_are_disputed() -> None:
    alone = (_heard("321-440-7752"), _heard("321-440-7752"))
    assert settled_by_the_stretch(_heard(WHISPER_7782), _heard(WHISPER_7782), alone) is None
    partial = _heard("My number is 3-2-1, 4-4-0, 7-7")
    assert settled_by_the_stretch(partial, _heard(MOONSHINE_7752), alone) is None


def _partial(digits: str) -> CallbackNumber:
    return CallbackNumber(None, digits)


def test_two_partial_hearings_make_the_one_valid_number_that_holds_both() -> None:
    found = from_two_partials(_partial("816402367"), _partial("16423367"), "US")
    assert found is not None
    assert found.e164 == "+18164023367"
    assert found.partial is None
    assert found.guessed


def test_two_partial_hearings_that_fit_two_valid_numbers_make_none() -> None:
    # 214 255 2806 and 214 525 2806 both hold "214252806" and "214552806".
    assert from_two_partials(_partial("214252806"), _partial("214552806"), "US") is None


def test_two_hearings_of_the_same_fragment_make_no_number() -> None:
    assert from_two_partials(_partial("8934026"), _partial("8934026"), "US") is None


def test_two_partials_are_merged_only_where_both_are_partial() -> None:
    whole = CallbackNumber("+18164023367", None)
    assert from_two_partials(whole, _partial("16423367"), "US") is None
    assert from_two_partials(_partial("816402367"), CallbackNumber(None, None), "US") is None


def test_fragments_too_long_together_for_a_phone_number_make_none() -> None:
    assert from_two_partials(_partial("123456789"), _partial("987654321"), "US") is None
