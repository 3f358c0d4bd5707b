from __future__ import annotations

import pytest

from shared.models import Word
from workers.providers.stt.rehearing import (
    LEAD_S,
    LENGTH_S,
    span_of_disputed_number,
    span_of_unconfirmed_number,
    span_to_rehear,
)


def _words(text: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    return [
        Word(word=w, start_s=start + i * step, end_s=start + i * step + 0.4)
        for i, w in enumerate(text.split())
    ]


def test_a_partial_number_is_heard_again_from_just_before_its_first_word() -> None:
    text = "Hi, it's Sam. Call me at 9-1-9-5-8-2-66-4 thanks."
    words = _words(text, start=2.0)
    span = span_to_rehear(text, words, "US", duration_s=60.0)
    # "9-1-9-5-8-2-66-4" is the seventh word: it starts at 2.0 + 6 * 0.5 s.
    assert span == (round(5.0 - LEAD_S, 2), round(5.0 - LEAD_S + LENGTH_S, 2))


def test_the_stretch_ends_with_the_recording() -> None:
    text = "call me at 919 582 664"
    assert span_to_rehear(text, _words(text), "US", duration_s=4.0) == (
        round(1.5 - LEAD_S, 2),
        4.0,
    )


def test_a_valid_number_is_not_heard_again() -> None:
    text = "call me at 919-582-6634"
    assert span_to_rehear(text, _words(text), "US", duration_s=10.0) is None


def test_a_message_without_digits_is_not_heard_again() -> None:
    text = "please call me back when you can"
    assert span_to_rehear(text, _words(text), "US", duration_s=10.0) is None


def test_words_that_do_not_line_up_with_the_text_give_no_place_to_hear_again() -> None:
    text = "call me at 919 582 664"
    assert span_to_rehear(text, _words("call me at"), "US", duration_s=10.0) is None
    assert span_to_rehear(text, [], "US", duration_s=10.0) is None


def test_a_word_without_a_time_gives_no_place_to_hear_again() -> None:
    text = "call me at 919 582 664"
    words = [Word(word=w) for w in text.split()]
    assert span_to_rehear(text, words, "US", duration_s=10.0) is None


def test_a_number_another_engine_heard_otherwise_is_heard_again_from_its_first_word() -> None:
    text = "Hi, it's Victor. Call me at 3-2-1, 4-4-0, 7-7-8-2 please."
    other = "Hi, it's Victor. Call me at 3-2-1, 4-4-0, 7-7-5-2 please."
    span = span_of_disputed_number(text, _words(text), other, "US", duration_s=60.0)
    # "3-2-1," is the seventh word: it starts at 6 * 0.5 s.
    assert span == (round(3.0 - LEAD_S, 2), round(3.0 - LEAD_S + LENGTH_S, 2))


def test_a_number_the_other_engine_heard_alike_or_not_whole_is_not_disputed() -> None:
    text = "call me at 321-440-7782"
    for other in ("Call me at 321-440-7782.", "Call me at 321-440-77", "Call me back."):
        assert span_of_disputed_number(text, _words(text), other, "US", 10.0) is None
    partial = "call me at 321-440-77"
    assert span_of_disputed_number(partial, _words(partial), text, "US", 10.0) is None


@pytest.mark.parametrize(
    "other",
    [
        "Call me at 415-867-291.",  # a digit missed
        "Call me at 415-867-2281.",  # a digit heard otherwise
        "Call me back.",  # no number
    ],
)
def test_a_whole_number_the_other_engine_does_not_confirm_is_heard_again(other: str) -> None:
    text = "call me at 415-867-2291"
    span = span_of_unconfirmed_number(text, _words(text), other, "US", duration_s=60.0)
    assert span == (round(1.5 - LEAD_S, 2), round(1.5 - LEAD_S + LENGTH_S, 2))


def test_a_number_the_other_engine_confirms_or_no_whole_number_is_not_heard_again() -> None:
    text = "call me at 415-867-2291"
    confirmed = "Call me at 415-867-2291."
    assert span_of_unconfirmed_number(text, _words(text), confirmed, "US", 60.0) is None
    partial = "call me at 415-867-22"
    assert span_of_unconfirmed_number(partial, _words(partial), confirmed, "US", 60.0) is None
