from __future__ import annotations

import pytest

from shared.language.telephone_band import guess_over_the_band
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        # The engines' hearings of the spoken written set, each with no number whole.
        ("Please call me Mac at Heaven, do Heaven, 3-5-4. I-I-Do-1.", "+17273549921"),
        ("This is really frustrating 816. Do do high, 6607.", "+18162256607"),
        (
            "It's about my son's appointment tomorrow for 1, 2, 6, 3, 8, 5, 5, I know.",
            "+14126385590",
        ),
        ("I'm 702358164 is my number", "+19702358164"),
        ("call me at 415 555 01 I do", "+14155550192"),
    ],
)
def test_digits_a_telephone_line_turned_into_words_make_a_guessed_number(
    heard: str, expected: str
) -> None:
    guess = guess_over_the_band(tokenize(heard), "US")
    assert guess is not None
    assert guess.e164 == expected
    assert guess.guessed


def test_the_guessed_digits_are_marked_where_they_stand() -> None:
    guess = guess_over_the_band(tokenize("frustrating 816. Do do high, 6607."), "US")
    assert guess is not None
    assert guess.heard == "8162256607"
    assert guess.from_letters == {3, 4, 5}


@pytest.mark.parametrize(
    "text",
    [
        # Fewer than four digits heard as digits: the words would be most of the number.
        "call me at heaven do heaven 3 5 4 i i do so",
        # A word the line makes of no digit ends the chain ("... 01 I do" is 415 555 0192).
        "call me at 415 555 01, and I do",
        # Read as digits they make no valid number.
        "my number is 555 1234 so I do",
        # An order number is no callback number, however it is read.
        "about order 415 555 01 I do",
    ],
)
def test_no_number_is_guessed_where_the_digits_heard_do_not_carry_one(text: str) -> None:
    assert guess_over_the_band(tokenize(text), "US") is None


def test_a_word_read_as_a_digit_never_dials_abroad() -> None:
    # A digit too many for a British number, and "know" before it would make "00", the
    # international prefix: an American number.
    text = "Call me the minute you know, 01279 496 0552."
    assert guess_over_the_band(tokenize(text), "GB") is None
