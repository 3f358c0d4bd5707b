from __future__ import annotations

import pytest

from shared.language.numbers import (
    digit_runs,
    ordinal,
    say_digits,
    say_int,
    say_ordinal,
    spoken_int,
)
from shared.language.tokens import tokenize


def _digits(text: str) -> list[str]:
    return [run.digits for run in digit_runs(text.split())]


def test_spoken_digits_form_one_run() -> None:
    assert _digits("call me at four one five five five five") == ["415555"]


def test_oh_beside_a_digit_is_zero() -> None:
    assert _digits("two oh six") == ["206"]


def test_oh_as_an_interjection_is_not_a_number() -> None:
    assert _digits("oh my name is david") == []


def test_double_and_triple_repeat_the_digit() -> None:
    assert _digits("double five triple oh one") == ["550001"]


def test_a_misheard_digit_after_double_or_triple_is_the_digit() -> None:
    # Whisper heard "triple three" as "triple free" on the voicemail set.
    assert _digits("508 triple free 1147") == ["5083331147"]
    assert _digits("a double for tonight") == []


def test_double_and_triple_repeat_a_written_digit() -> None:
    # Whisper wrote "two one four, double five two, double eight oh six" so on vm10.
    assert _digits("2 1 4 double 5 2 double 8 0 6") == ["2145528806"]
    assert _digits("214 triple 3 1147") == ["2143331147"]
    assert _digits("214 double 52") == ["214552"]  # "double five two" in one group


def test_double_before_an_amount_is_not_a_repeated_digit() -> None:
    # Only a lone digit, or a group inside a number, is repeated.
    assert _digits("charged double 50 dollars") == ["50"]


def test_tens_and_hundreds_expand_inside_a_number() -> None:
    assert _digits("eight hundred twenty one") == ["80021"]


def test_misheard_digit_between_digits_is_recovered() -> None:
    # pocketsphinx heard "tier" for "zero" in a real recording.
    assert _digits("five five tier one nine") == ["55019"]


def test_misheard_digit_word_at_the_edge_stays_a_word() -> None:
    assert _digits("i waited for two days") == ["2"]


def test_a_digit_word_hyphened_to_a_group_is_read_as_a_guessed_digit() -> None:
    tokens = tokenize("call me at 713-864-209-time, or for a 3-month plan")
    runs = digit_runs(tokens.low, tokens.raw, tokens.hyphened)
    assert [(r.digits, r.guessed, r.from_letters) for r in runs] == [
        ("7138642095", True, frozenset({9})),
        ("3", False, frozenset()),
    ]


def test_or_is_zero_only_between_digits() -> None:
    assert _digits("six or three") == ["603"]
    assert _digits("two or more days") == ["2"]


def test_fillers_inside_a_number_are_skipped() -> None:
    assert _digits("five five uh one two") == ["5512"]


def test_written_digit_groups_join_and_keep_the_plus() -> None:
    runs = digit_runs(["+1", "415", "555", "0198"])
    assert [(r.digits, r.international, r.start, r.end) for r in runs] == [
        ("14155550198", True, 0, 4)
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [("ten", (10, 1)), ("forty five", (45, 2)), ("thirty", (30, 1)), ("07", (7, 1))],
)
def test_spoken_int_reads_clock_sized_numbers(words: str, expected: tuple[int, int]) -> None:
    assert spoken_int(words.split(), 0) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [("fifth", (5, 1)), ("twenty first", (21, 2)), ("3rd", (3, 1)), ("thirtieth", (30, 1))],
)
def test_ordinal_reads_days_of_the_month(words: str, expected: tuple[int, int]) -> None:
    assert ordinal(words.split(), 0) == expected


def test_numbers_are_said_in_words() -> None:
    assert say_int(45) == "forty five"
    assert say_ordinal(21) == "twenty first"
    assert say_digits("2060") == "two zero six zero"


def test_a_letter_i_written_as_a_numbers_hyphened_group_is_read_as_nine_and_marked_a_guess() -> (
    None
):
    tokens = tokenize("area code I-17-482-0063")
    (run,) = digit_runs(tokens.low, tokens.raw, tokens.hyphened)
    assert (run.digits, run.guessed) == ("9174820063", True)


def test_a_run_says_where_in_its_digits_each_letter_was_read() -> None:
    tokens = tokenize("ring me on 01214-I-6, 06-I-2")
    (run,) = digit_runs(tokens.low, tokens.raw, tokens.hyphened)
    assert run.digits == "01214960692"
    assert run.from_letters == {5, 9}


@pytest.mark.parametrize("text", ["713, triple 2, 6", "seven one three triple two six"])
def test_a_run_says_which_digits_were_said_with_triple(text: str) -> None:
    tokens = tokenize(text)
    (run,) = digit_runs(tokens.low, tokens.raw, tokens.hyphened)
    assert (run.digits, run.tripled) == ("7132226", frozenset({"2"}))


def test_a_run_said_with_double_has_no_triple() -> None:
    tokens = tokenize("713 double 2 6")
    (run,) = digit_runs(tokens.low, tokens.raw, tokens.hyphened)
    assert (run.digits, run.tripled) == ("713226", frozenset())


def test_a_letter_i_beside_digits_without_a_hyphen_is_the_word_i() -> None:
    tokens = tokenize("at 9 I 17 482")
    assert [(r.digits, r.guessed) for r in digit_runs(tokens.low, tokens.raw, tokens.hyphened)] == [
        ("9", False),
        ("17482", False),
    ]


def test_a_run_of_digits_only_is_not_a_guess() -> None:
    tokens = tokenize("call 415-555-0198")
    assert [r.guessed for r in digit_runs(tokens.low, tokens.raw, tokens.hyphened)] == [False]


def test_a_letter_i_in_a_vanity_number_is_not_read_as_a_digit() -> None:
    tokens = tokenize("call 1-800-I-CAN-FIX")
    assert [r.digits for r in digit_runs(tokens.low, tokens.raw, tokens.hyphened)] == ["1800"]
