"""A name read from a transcript stops at a sentence's end, even after its spelling, and a
caller who greets the person they call by name before giving their own ("Hi, Grace. Kim
here") is read by their own."""

from __future__ import annotations

import pytest

from shared.language.introductions import introduced_names
from shared.language.names import caller_name
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is Kim, K-I-M. Grace period ends Friday.", "Kim"),
        ("This is Kim, K I M. Grace period ends Friday.", "Kim"),
        ("It's Siddharth, S-I-D-D-H-A-R-T-H. Rao is my landlord.", "Siddharth"),
        # Letters written with stops end with one of their own: the surname may follow.
        ("This is Kim, K.I.M. Rao, about the lease.", "Kim Rao"),
        ("Hi, it's Siddharth, S-I-D-D-H-A-R-T-H, Rao.", "Siddharth Rao"),
    ],
)
def test_a_spelt_first_name_does_not_take_the_next_sentences_word(text: str, expected: str) -> None:
    assert caller_name(tokenize(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, Grace. Kim here.", "Kim"),
        ("Hi, Grace. Kim here about the lease.", "Kim"),
        ("hi, grace. kim here about the lease.", "Kim"),
        ("Hi Grace, Kim here, about the lease.", "Kim"),
        ("Hello Dana, Kim Lee calling about the lease.", "Kim Lee"),
        ("Grace. Kim here.", "Kim"),
        # Unchanged: a name said with no pause before "here" is all the caller's.
        ("Hello. Grace Kim here.", "Grace Kim"),
        ("Kim here.", "Kim"),
    ],
)
def test_a_caller_who_greets_someone_by_name_is_read_by_their_own(text: str, expected: str) -> None:
    assert caller_name(tokenize(text)) == expected


@pytest.mark.parametrize(
    "text",
    ["About the lease. Kim here.", "The boiler is broken again, Kim here."],
)
def test_a_given_name_said_before_here_as_a_clause_after_other_words_is_the_callers(
    text: str,
) -> None:
    # Said as a clause of its own, a pause either side (test_name_before_cue_after_a_clause).
    assert caller_name(tokenize(text)) == "Kim"


@pytest.mark.parametrize(
    "text",
    ["about the lease. kim here.", "The boiler is broken again, Kim here about it."],
)
def test_a_name_before_here_after_other_words_not_said_as_a_clause_is_no_callers(
    text: str,
) -> None:
    assert caller_name(tokenize(text)) is None


def test_the_person_greeted_is_still_a_name_to_redact() -> None:
    assert introduced_names(tokenize("Hi Grace, Kim here, about the lease.")) == ["Kim", "Grace"]


@pytest.mark.parametrize(
    "text",
    ["Hi Team, Kim here.", "Hello All, Kim here.", "Morning Everyone, Kim here."],
)
def test_a_greeted_word_that_is_no_known_given_name_is_not_taken_for_one(text: str) -> None:
    assert introduced_names(tokenize(text)) == ["Kim"]


@pytest.mark.parametrize("text", ["Hi it's me", "Hi it's me.", "hi it's me, call me back"])
def test_its_me_without_a_name_gives_no_caller_name(text: str) -> None:
    assert caller_name(tokenize(text)) is None
