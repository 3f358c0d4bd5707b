"""A callback number heard more than once or not quite clearly: disputed or not, a digit guessed
from a word, repetitions, false starts, corrections, and numbers the caller says not to call."""

from __future__ import annotations

import pytest

from shared.language.phone import find_callback, find_callback_number
from shared.language.tokens import tokenize


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
