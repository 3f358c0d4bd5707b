from __future__ import annotations

from shared.language.tokens import tokenize, word_of_each_token


def test_each_token_is_placed_in_the_word_it_came_from() -> None:
    text = "Call me at 617-867-2291."
    words = ["Call", "me", "at", "617-867-2291."]
    # The hyphened number is three tokens of the fourth word.
    assert word_of_each_token(text, words) == [0, 1, 2, 3, 3, 3]


def test_words_that_tokenise_otherwise_than_the_text_place_nothing() -> None:
    assert word_of_each_token("Call me at 617-867-2291.", ["Call", "me"]) is None
    assert word_of_each_token("", []) == []


def test_a_sentence_starts_after_a_full_stop_question_or_exclamation_and_a_space() -> None:
    tokens = tokenize("Pulled the order. 480-655-1934! Dr.Who? Yes, 3.5")
    assert [tokens.raw[i] for i in sorted(tokens.sentence_starts)] == ["480", "Dr", "Yes"]
