"""Phone numbers to E.164, and the callback number found in what the caller said: cued, spoken or
written digits, partial numbers, and digits labelled as something else (an order, a code)."""

from __future__ import annotations

import pytest

from shared.language.phone import find_callback, find_callback_number, to_e164
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    ("digits", "region", "expected"),
    [
        ("4155550198", "US", "+14155550198"),
        ("14155550198", "US", "+14155550198"),
        ("011442079460958", "US", "+442079460958"),
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
    [
        ("552123456", "US"),
        ("1234567890", "US"),
        ("4155550198", "ZZ"),
        # A shape that passes a length check but is no valid number (no UK number is 11
        # digits after its country code): libphonenumber's ranges, not a length table.
        ("01144207946095", "US"),
        ("5551234567", "US"),
    ],
)
def test_invalid_numbers_are_not_normalised(digits: str, region: str) -> None:
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


def test_a_fragment_is_never_the_callback_number_but_is_kept_as_partial() -> None:
    text = "call me back up by five five two one two three four five six"
    found = find_callback(tokenize(text), "US")
    assert found.e164 is None
    assert found.partial == "552123456"


def test_a_local_number_without_its_area_code_is_partial() -> None:
    found = find_callback(tokenize("my number is eight six seven two two nine one"), "US")
    assert (found.e164, found.partial) == (None, "8672291")


def test_a_short_cued_fragment_is_partial_and_an_uncued_one_is_ignored() -> None:
    assert find_callback(tokenize("call me at six one seven eight six"), "US").partial == "61786"
    assert find_callback(tokenize("it costs six one seven eight six"), "US").partial is None


@pytest.mark.parametrize(
    "text",
    [
        "call me at six one seven, eight six seven, two two nine one",
        "my number is six one seven eight six seven two two nine one",
        "reach me at six one seven eight six seven double two nine one",
        "you can get me on six one seven eight six seven two two nine one",
        "area code six one seven, and then eight six seven two two nine one",
        "it's six one seven, eight six seven, two two nine one, again six one seven, "
        "eight six seven, two two nine one",
        "six one seven eight six seven two two nine one six one seven eight six seven",
        "call me back at 617-867-2291",
    ],
)
def test_spoken_forms_of_one_number_give_it(text: str) -> None:
    assert find_callback_number(tokenize(text), "US") == "+16178672291"


def test_oh_and_triple_are_digits_inside_a_number() -> None:
    text = "call me on four one five, triple two, nine one oh one"
    assert find_callback_number(tokenize(text), "US") == "+14152229101"


def test_double_before_written_digits_repeats_them_across_sentences() -> None:
    # Whisper's transcript of vm10 (espeak, 8 kHz mp3): the groups end in full stops.
    text = "Please call at 2 and you can. 2-1-4. Double-5-2. Double-8-0-6."
    assert find_callback_number(tokenize(text), "US") == "+12145528806"


def test_runs_shorter_than_seven_digits_are_not_callback_numbers() -> None:
    assert find_callback_number(tokenize("call me at five five five one two"), "US") is None


def test_runs_longer_than_fifteen_digits_are_not_callback_numbers() -> None:
    text = "my card is 4111 1111 1111 1111 1111"
    assert find_callback_number(tokenize(text), "US") is None


def test_order_number_is_not_taken_for_the_callback_number() -> None:
    text = "my order number is 12345678 and you can reach me at 206 555 7712"
    assert find_callback_number(tokenize(text), "US") == "+12065557712"


@pytest.mark.parametrize("text", ["about order 4806551934, please", "order no. 4806551934"])
def test_digits_labelled_as_an_order_are_never_the_callback_number(text: str) -> None:
    assert find_callback(tokenize(text), "US").partial is None
    assert find_callback_number(tokenize(text), "US") is None


@pytest.mark.parametrize(
    "code", ["policy HS-2207-6613", "policy HS22076613", "reference PK-5590231", "order AB-1234567"]
)
def test_a_labelled_code_written_with_letters_before_its_digits_is_never_the_callback_number(
    code: str,
) -> None:
    # written_callers.json b26, spoken: Whisper wrote "Policy HS-2207-6613" before the
    # caller's number, which it heard with a digit too many.
    text = f"about my {code}. It's not urgent when number 6-0117-929-3381."
    found = find_callback(tokenize(text), "GB")
    assert found.e164 is None
    assert found.partial == "601179293381"


def test_digits_written_after_letters_with_no_label_are_read_as_a_number() -> None:
    text = "hi it's Tom from the depot, call me on A-020 7946 0958"
    assert find_callback_number(tokenize(text), "GB") == "+442079460958"


def test_a_partial_number_said_twice_and_heard_alike_is_kept_once() -> None:
    # written_callers.json b46, spoken: 07512 948036 said twice, and each time Whisper missed
    # the 8. The partial is what the caller said, so another hearing can be held against it.
    found = find_callback(tokenize("My mobile is 0751294036, 0751294036"), "GB")
    assert found.e164 is None
    assert found.partial == "0751294036"


def test_a_partial_run_that_only_looks_half_repeated_is_kept_whole() -> None:
    found = find_callback(tokenize("my number is 31231 2312"), "US")
    assert found.partial == "312312312"


def test_a_number_after_a_sentence_ending_in_a_label_word_is_the_callers() -> None:
    # written_callers.json b24: the order is the sentence's, the number the caller's.
    text = "I need to cancel it, the client pulled the order. 480-655-1934."
    assert find_callback_number(tokenize(text), "US") == "+14806551934"


def test_number_after_a_cue_wins_over_an_earlier_one() -> None:
    text = "i called 800 555 1212 yesterday but my number is 415 555 0198"
    assert find_callback_number(tokenize(text), "US") == "+14155550198"


def test_a_spoken_plus_marks_an_international_number() -> None:
    text = "call me on plus four four two zero seven nine four six zero nine five eight"
    assert find_callback_number(tokenize(text), "US") == "+442079460958"


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("Can I rebook for next Thursday at quarter past ten? 617-246-8100.", "US", "+16172468100"),
        ("Any time between 8 and 10. 617-321-0000.", "US", "+16173210000"),
        ("Please ring me before five, 07701 339 284.", "GB", "+447701339284"),
    ],
)
def test_a_time_said_just_before_the_number_is_not_read_as_its_first_digits(
    text: str, region: str, expected: str
) -> None:
    assert find_callback_number(tokenize(text), region) == expected
