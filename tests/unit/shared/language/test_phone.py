from __future__ import annotations

import pytest

from shared.language.phone import find_callback, find_callback_number, speak_number, to_e164
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


def test_home_number_is_read_in_groups_without_country_code() -> None:
    spoken = speak_number("+14155550198", "US")
    assert spoken == "four one five, five five five, zero one nine eight"


def test_home_number_is_read_with_its_trunk_prefix() -> None:
    spoken = speak_number("+442079460958", "GB")
    assert spoken == "zero two zero, seven nine four six, zero nine five eight"


def test_foreign_number_is_read_with_plus_and_country_code_in_its_own_groups() -> None:
    spoken = speak_number("+442079460958", "US")
    assert spoken == "plus four four, two zero, seven nine four six, zero nine five eight"


def test_a_spoken_plus_marks_an_international_number() -> None:
    text = "call me on plus four four two zero seven nine four six zero nine five eight"
    assert find_callback_number(tokenize(text), "US") == "+442079460958"


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


def test_a_number_heard_two_ways_after_cues_is_disputed() -> None:
    text = (
        "call me at six one seven eight six seven two two nine one, "
        "again my number is six one seven eight six seven two two nine four"
    )
    found = find_callback(tokenize(text), "US")
    assert found.e164 == "+16178672291"
    assert found.disputed


def test_a_number_repeated_the_same_is_not_disputed() -> None:
    text = "call me at 617 867 2291, again my number is 617 867 2291"
    assert not find_callback(tokenize(text), "US").disputed


def test_a_number_said_twice_is_heard_at_both_places() -> None:
    tokens = tokenize("call me at 617-238-4410. Again, 617-238-4410.")
    found = find_callback(tokens, "US")
    assert found.e164 == "+16172384410"
    assert found.heard_at == ((3, 6), (7, 10))
    assert not found.disputed


def test_a_number_with_a_digit_read_from_a_letter_is_given_as_a_guess() -> None:
    found = find_callback(tokenize("book a consultation, area code I-17-482-0063."), "US")
    assert (found.e164, found.guessed) == ("+19174820063", True)


def test_a_digit_word_written_as_the_numbers_last_group_is_given_as_a_guess() -> None:
    # Moonshine's hearing of "... two oh nine five" (b08 of the spoken unseen half of the
    # callers' set): "five" heard as "time", written as the number's last group.
    text = "Please call me at 713-864-209-TIME. Again, 713-864-209-TIME."
    found = find_callback(tokenize(text), "US")
    assert (found.e164, found.guessed) == ("+17138642095", True)


def test_a_guessed_number_heard_again_clearly_is_no_longer_a_guess() -> None:
    text = "call me at I-17-482-0063, that's 917-482-0063"
    found = find_callback(tokenize(text), "US")
    assert (found.e164, found.guessed, found.disputed) == ("+19174820063", False, False)


def test_a_number_run_straight_into_its_own_repetition_is_that_number() -> None:
    tokens = tokenize("call me at four one five eight six seven two two nine one four one five")

    assert find_callback_number(tokens, "US") == "+14158672291"


def test_one_digit_too_many_is_a_partial_number_not_a_repetition() -> None:
    # "615 304 7726" heard with a 7 too many: its last digit happens to be the first's, and
    # cutting it off gave 615 304 7772, a wrong number reported as certain.
    found = find_callback(tokenize("send someone right away 615, 304, 77726."), "US")

    assert found.e164 is None
    assert found.partial == "61530477726"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can you look into it for 14889-2205?", "+14148892205"),  # "four one four ..."
        ("whenever you have time to 06-447-3318.", "+12064473318"),  # "two oh six ..."
    ],
)
def test_a_word_written_for_a_numbers_first_digit_completes_it_as_a_guess(
    text: str, expected: str
) -> None:
    found = find_callback(tokenize(text), "US")

    assert found.e164 == expected
    assert found.guessed


def test_a_word_before_a_whole_number_stays_a_word() -> None:
    found = find_callback(tokenize("you can reach me for now at 617-238-4410"), "US")

    assert found.e164 == "+16172384410"
    assert not found.guessed


@pytest.mark.parametrize(
    "text",
    [
        "call me at 415-867-2291 for 5 minutes",
        "call me at 415-867-2291 to 5 pm",
        "call me at 415-867-2291 or 415-867-0034",
    ],
)
def test_a_word_after_a_whole_number_does_not_join_it_to_the_next_digits(text: str) -> None:
    found = find_callback(tokenize(text), "US")

    assert found.e164 == "+14158672291"
    assert not found.guessed


@pytest.mark.parametrize(
    "text",
    [
        # Both engines' hearings of "oh one one four, four nine six, oh three eight five"
        # in an English voice (w117 of the spoken written set).
        "ring me back about it all 1-1-4-4-9-6 or 3-8-5.",
        "ring me back about it, or one, one, four, four, nine, six, or three, eight, five.",
    ],
)
def test_or_between_digits_is_the_oh_of_a_non_rhotic_voice(text: str) -> None:
    assert find_callback_number(tokenize(text), "GB") == "+441144960385"


def test_time_between_digits_is_a_five_that_lost_its_f_on_the_line() -> None:
    # Whisper's hearing of "three five two, seven one eight, four four oh six" said by an
    # espeak voice over 8 kHz mu-law (a44 of the spoken unseen half of the callers' set).
    text = "my number three times two, seven, one, eight, four, four, oh six."
    assert find_callback_number(tokenize(text), "US") == "+13527184406"


@pytest.mark.parametrize(
    "text",
    [
        "press 1 or 415-867-2291",
        "press 1 for 415-867-2291",
        "it's extension 4 or 415 867 2291",
        "after 2 to 415-867-2291",
        "I've called 4 times 415-867-2291",
    ],
)
def test_a_word_before_a_whole_number_does_not_join_it_to_the_digits_before(text: str) -> None:
    found = find_callback(tokenize(text), "US")

    assert found.e164 == "+14158672291"
    assert not found.guessed


def test_a_number_begun_again_after_a_false_start_is_the_number() -> None:
    text = "The job's off. My cell is 404... 404-873-2216."
    assert find_callback_number(tokenize(text), "US") == "+14048732216"


def test_a_number_corrected_by_the_caller_is_the_correction_and_not_disputed() -> None:
    text = "Call me back on 312-748-0198, sorry, 312-748-0189. Thanks."
    found = find_callback(tokenize(text), "US")
    assert found.e164 == "+13127480189"
    assert not found.disputed


def test_two_numbers_with_no_correction_between_them_stay_disputed() -> None:
    text = "Call me back on 312-748-0198. Or you can call me at work, 312-748-0189."
    assert find_callback(tokenize(text), "US").disputed


def test_a_number_said_again_the_same_after_sorry_is_heard_at_both_places() -> None:
    text = "Call me on 312-748-0198, sorry, 312-748-0198. Thanks."
    assert len(find_callback(tokenize(text), "US").heard_at) == 2


@pytest.mark.parametrize(
    "text",
    [
        # Whisper's hearings of flite voicemails: the caller says which number not to use.
        "Hi, this is Dana. Don't call my work number 617-238-4411. Call myself 617-238-4410.",
        "Hi, it's Kevin. My old number 617-238-4411 is disconnected. "
        "Please use 617-238-4410 instead.",
    ],
)
def test_a_number_the_caller_says_not_to_call_is_passed_over_for_the_other(text: str) -> None:
    assert find_callback(tokenize(text), "US").e164 == "+16172384410"


@pytest.mark.parametrize(
    "text",
    [
        "Hello, this is Grace, the serial number on the furnaces 858, 412-3391, can someone "
        "call me?",
        "Hi, it's Sam from the body shop, the part number is 617-238-4410, and it's back "
        "ordered, please call me back.",
        "I paid 6,172,384,410 dollars",
        "Kemal Yildiz, student number 2209134.",
    ],
)
def test_a_labelled_number_or_an_amount_is_no_callback_number(text: str) -> None:
    found = find_callback(tokenize(text), "US")
    assert (found.e164, found.partial) == (None, None)


def test_a_label_does_not_reach_digits_the_caller_gives_as_their_own() -> None:
    text = "I can give you the sort code and account number over the phone, I'm on 415 867 2291."
    assert find_callback(tokenize(text), "US").e164 == "+14158672291"
