from __future__ import annotations

import random

import pytest

from shared.wer import (
    Span,
    alignment_spans,
    edit_distance,
    word_error_rate,
)
from shared.wer_words import compared_words, normalize


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello, World!", ["hello", "world"]),
        ("  many   spaces\tand\nlines ", ["many", "spaces", "and", "lines"]),
        ("It's O'Neil's dog, isn't it?", ["it's", "o'neil's", "dog", "isn't", "it"]),
        ("Don\u2019t stop", ["don't", "stop"]),
        ("'quoted' words''", ["quoted", "words"]),
        ("an ill-disposed young man", ["an", "ill", "disposed", "young", "man"]),
        ("Room 101, floor 3.", ["room", "101", "floor", "3"]),
        ("Café naïve", ["café", "naïve"]),
        ("snake_case", ["snake", "case"]),
        ("", []),
        ("?!...", []),
    ],
)
def test_normalize_lowercases_strips_punctuation_and_keeps_inner_apostrophes(
    text: str, words: list[str]
) -> None:
    assert normalize(text) == words


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("call me at four one five, eight six seven, two two nine one", "call me at 415-867-2291"),
        ("ten of clubs", "10 of clubs"),
        ("two oh six, double five, triple oh", "206 55 000"),
        ("twenty one forty", "21 40"),
        ("nineteen", "19"),
        ("three hundred", "300"),
    ],
)
def test_numbers_spoken_and_written_in_digits_compare_equal(spoken: str, written: str) -> None:
    assert compared_words(spoken) == compared_words(written)
    assert word_error_rate(spoken, written) == 0.0


def test_oh_is_a_zero_only_beside_digits() -> None:
    assert compared_words("Oh, hi there") == ["oh", "hi", "there"]
    assert compared_words("five oh") == ["5", "0"]


def test_one_misheard_digit_of_a_phone_number_costs_one_word() -> None:
    assert edit_distance("four one five eight six seven", "415-861") == 1


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("go forward ten meters", "go forward ten meters", 0.0),
        ("Go forward, ten meters!", "go forward ten meters", 0.0),
        ("the cat sat", "the cat sat down", 1 / 3),
        ("the cat sat", "the sat", 1 / 3),
        ("the cat sat", "the dog sat", 1 / 3),
        ("a b c d", "a x c", 0.5),
        ("one two three", "want him to three", 1.0),
        ("a", "b c d", 3.0),
        ("one two three", "", 1.0),
    ],
)
def test_word_error_rate_counts_word_edits_per_reference_word(
    reference: str, hypothesis: str, expected: float
) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)


def test_empty_reference_scores_zero_for_empty_hypothesis_and_one_otherwise() -> None:
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("...", " ") == 0.0
    assert word_error_rate("", "something said") == 1.0


def test_edit_distance_is_the_numerator_of_the_word_error_rate() -> None:
    assert edit_distance("a b c d", "a x c") == 2
    assert edit_distance("", "x y") == 2


def test_identical_texts_have_no_disagreeing_spans() -> None:
    assert alignment_spans("Go forward.", "go forward") == []


def test_spans_name_substitutions_deletions_and_insertions_in_reading_order() -> None:
    assert alignment_spans("a b c d e", "a x c e f") == [
        Span(op="substitute", ref=["b"], hyp=["x"], ref_start=1, hyp_start=1),
        Span(op="delete", ref=["d"], hyp=[], ref_start=3, hyp_start=3),
        Span(op="insert", ref=[], hyp=["f"], ref_start=5, hyp_start=4),
    ]


def test_adjacent_edits_of_one_kind_merge_into_one_span() -> None:
    assert alignment_spans("one two three four", "one six seven four") == [
        Span(op="substitute", ref=["two", "three"], hyp=["six", "seven"], ref_start=1, hyp_start=1),
    ]
    assert alignment_spans("", "hello there") == [
        Span(op="insert", ref=[], hyp=["hello", "there"], ref_start=0, hyp_start=0),
    ]
    assert alignment_spans("hello there", "") == [
        Span(op="delete", ref=["hello", "there"], hyp=[], ref_start=0, hyp_start=0),
    ]


def _apply(reference: list[str], spans: list[Span]) -> list[str]:
    out: list[str] = []
    i = 0
    for span in spans:
        out.extend(reference[i : span["ref_start"]])
        out.extend(span["hyp"])
        i = span["ref_start"] + len(span["ref"])
    out.extend(reference[i:])
    return out


def test_spans_cost_the_edit_distance_and_turn_the_reference_into_the_hypothesis() -> None:
    rng = random.Random(7)
    vocabulary = ["a", "b", "c", "d"]
    for _ in range(300):
        ref = " ".join(rng.choices(vocabulary, k=rng.randint(0, 8)))
        hyp = " ".join(rng.choices(vocabulary, k=rng.randint(0, 8)))
        spans = alignment_spans(ref, hyp)
        cost = sum(max(len(span["ref"]), len(span["hyp"])) for span in spans)
        assert cost == edit_distance(ref, hyp), (ref, hyp, spans)
        assert _apply(normalize(ref), spans) == normalize(hyp), (ref, hyp, spans)
        for span in spans:
            if span["op"] == "substitute":
                assert len(span["ref"]) == len(span["hyp"]) > 0


def test_long_transcripts_align_quickly() -> None:
    # About ten minutes of speech: the alignment runs inside a worker task.
    ref = " ".join(f"w{i % 97}" for i in range(1500))
    hyp = " ".join(f"w{i % 89}" for i in range(1450))
    spans = alignment_spans(ref, hyp)
    assert sum(max(len(s["ref"]), len(s["hyp"])) for s in spans) == edit_distance(ref, hyp)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Call me at 5551234.", "call me at 555-1234"),
        ("It costs $5 today", "it costs five dollars today"),
        ("That's 10% off", "that's ten percent off"),
        ("See you at 3:30 p.m.", "see you at three thirty pm"),
        ("OK, Mr. Smith!", "okay mister smith"),
    ],
)
def test_the_same_words_written_differently_are_no_error_and_no_span(one: str, other: str) -> None:
    assert word_error_rate(one, other) == 0.0
    assert alignment_spans(one, other) == []


def test_a_span_inside_a_number_shows_the_whole_number_as_each_side_wrote_it() -> None:
    assert alignment_spans("call 5551234 now", "call 555-1235 now") == [
        Span(op="substitute", ref=["5551234"], hyp=["555", "1235"], ref_start=1, hyp_start=1),
    ]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("It costs $1,000 a month", "it costs $1000 a month"),
        ("It costs $1,250,000", "it costs 1250000 dollars"),
        ("A $1,000.50 refund", "a $1000.50 refund"),
    ],
)
def test_an_amount_with_thousands_separators_is_said_with_its_currency_after_the_whole_number(
    one: str, other: str
) -> None:
    assert word_error_rate(one, other) == 0.0
    assert alignment_spans(one, other) == []


@pytest.mark.parametrize("spaced", ["C'est 10 % de moins", "C'est 10\u00a0% de moins"])
def test_a_percent_sign_after_a_space_is_said_as_one_written_against_its_number(
    spaced: str,
) -> None:
    # French (and Whisper's French) writes a space before '%'.
    assert word_error_rate("c'est 10% de moins", spaced) == 0.0
    assert alignment_spans("c'est 10 percent de moins", spaced) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Call me at 5pm", "call me at 5 p.m."),
        ("Call me at 5pm", "call me at five PM"),
        ("Open 9am to 5pm", "open nine a.m. to five p.m."),
        ("That's 10 per cent off", "that's 10% off"),
        ("That's ten per cent off", "that's ten percent off"),
        ("It costs 5€", "it costs €5"),
        ("It costs 5€", "it costs five euros"),
        ("Your 2nd visit", "your second visit"),
        ("The 21st of May", "the twenty first of May"),
        ("On the 3rd floor, the 12th", "on the third floor the twelfth"),
    ],
)
def test_times_shares_amounts_and_ordinals_written_differently_are_no_error(
    one: str, other: str
) -> None:
    assert word_error_rate(one, other) == 0.0
    assert alignment_spans(one, other) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("spam", "sp am"),  # letters inside a word are not a time
        ("the 2nd", "the 2"),  # an ordinal is not its number
        ("per person", "percent person"),
        ("Elm Dr", "Elm doctor"),  # an address's drive
        ("Call Dr Smith", "call drive Smith"),  # a doctor
        ("It is 5m long", "it is five million long"),  # metres or minutes, not money
    ],
)
def test_words_that_only_look_like_those_forms_keep_their_meaning(one: str, other: str) -> None:
    assert word_error_rate(one, other) > 0.0


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Each was left as written ("101st", "5k", "2m") or dropped ("€"), an error.
        ("The 101st caller", "the one hundred first caller"),
        ("The 101st caller", "the one hundred and first caller"),
        ("Our 2021st order", "our two thousand twenty first order"),
        ("The 100th day", "the one hundredth day"),
        ("It costs 5 €", "it costs five euros"),
        ("It costs 5 €", "it costs 5€"),
        ("Salary is 5k", "salary is five thousand"),
        ("Salary is 50k", "salary is fifty k"),
        ("A $2m deal", "a two million dollars deal"),
        ("A £5k loan", "a 5 thousand pounds loan"),
        # "Dr" before a name is a doctor, after a street's name a drive.
        ("Call Dr. Smith", "call doctor Smith"),
        ("I live at 12 Elm Dr", "I live at 12 Elm Drive"),
        # Where the text cannot tell, "dr" matches either.
        ("the dr said", "the doctor said"),
        ("Dr Smith", "dr smith"),
    ],
)
def test_ordinals_from_100_scaled_amounts_spaced_euros_and_dr_are_compared_as_said(
    one: str, other: str
) -> None:
    assert word_error_rate(one, other) == 0.0
    assert alignment_spans(one, other) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # "one hundred five" was compared as "1005" and "twelve hundred" as "12 hundred".
        ("Room one hundred five", "room 105"),
        ("Room one hundred and five", "room 105"),
        ("It was one hundred twenty", "it was 120"),
        ("It was twelve hundred", "it was 1200"),
        ("About two thousand five hundred", "about 2,500"),
        ("About two hundred fifty thousand three hundred", "about 250300"),
        ("It costs one thousand dollars", "it costs $1,000"),
        # Digits said one by one after "hundred" are not added to it.
        ("Call one eight hundred five five five", "call 1-800-555"),
        # "$2.5m" was compared as "2 dollars 5m".
        ("A $2.5m deal", "a 2.5 million dollars deal"),
        ("A $2.5m deal", "a two point five million dollars deal"),
        ("A $2.5 million deal", "a 2.5 million dollars deal"),
        ("A 2.5k bonus", "a two point five k bonus"),
        ("A £1.2k fee", "a 1.2 thousand pounds fee"),
        # "a hundred" and "2.5" without a scale word were errors ("a hundred" against "1 0 0",
        # "2 point 5" against "2 5").
        ("Room a hundred and five", "room 105"),
        ("About a thousand people", "about 1000 people"),
        ("It was two point five metres", "it was 2.5 metres"),
        ("A temperature of thirty nine point five", "a temperature of 39.5"),
        ("Zero point seven five", "0.75"),
        # A clock time or a sum written with a point is said without it.
        ("We open at nine thirty", "we open at 9.30"),
        ("The server is at 10.0.0.1", "the server is at ten zero zero one"),
    ],
)
def test_compound_cardinals_and_decimal_scaled_amounts_are_compared_as_said(
    one: str, other: str
) -> None:
    assert word_error_rate(one, other) == 0.0
    assert alignment_spans(one, other) == []


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Room one hundred five", "room 1005"),
        ("A $2.5m deal", "a 25 million dollars deal"),
        ("A 2.5k bonus", "a 2500 bonus"),  # said "two point five k", not "twenty five hundred"
        ("It was 2.5 metres", "it was 25 metres"),
        ("A house", "1 house"),
    ],
)
def test_numbers_said_differently_still_differ(one: str, other: str) -> None:
    assert word_error_rate(one, other) > 0.0


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # A scaled amount after a word, its currency sign after it: compared, not a KeyError
        # (the character before the amount was taken for its sign).
        ("It costs 5k €", "it costs five thousand euros"),
        ("About 2m $ in total", "about two million dollars in total"),
    ],
)
def test_a_scaled_amount_with_its_currency_sign_after_it_mid_sentence_is_compared_as_said(
    one: str, other: str
) -> None:
    assert word_error_rate(one, other) == 0.0
    assert alignment_spans(one, other) == []
