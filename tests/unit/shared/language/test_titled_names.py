"""A title's full stop ("Mr.", "Dr.") abbreviates the title: it ends no sentence and no name,
so a caller who gives a title before "here" or "calling" is read with it, as after "this is"."""

from __future__ import annotations

import pytest

from shared.language.introductions import introduced_names
from shared.language.names import caller_name
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, Mr. Bhattacharya here", "Mr. Bhattacharya"),
        ("Hello, Mr Bhattacharya here", "Mr. Bhattacharya"),
        ("hello mr. bhattacharya here", "Mr. Bhattacharya"),
        ("Hi, Dr. Patel calling about the results.", "Dr. Patel"),
        ("Hi, Dr. Anita Patel calling about the results.", "Dr. Anita Patel"),
        ("Good morning, Mrs. Raman speaking.", "Mrs. Raman"),
        # As after an introduction, where the title was always kept.
        ("This is Dr. Smith", "Dr. Smith"),
        ("This is Dr Smith", "Dr. Smith"),
    ],
)
def test_a_title_before_here_or_calling_is_kept_with_the_name(text: str, expected: str) -> None:
    assert caller_name(tokenize(text)) == expected


def test_a_title_ends_no_sentence() -> None:
    tokens = tokenize("Hello, Mr. Bhattacharya here. Call me.")
    assert [tokens.raw[i] for i in sorted(tokens.sentence_starts)] == ["Call"]


def test_a_street_written_dr_still_ends_its_sentence() -> None:
    # "Oak Dr." is a drive: the next word starts a sentence, as it did.
    tokens = tokenize("I live on Oak Dr. Call me back.")
    assert [tokens.raw[i] for i in sorted(tokens.sentence_starts)] == ["Call"]


def test_a_titled_person_greeted_is_a_name_to_redact() -> None:
    assert introduced_names(tokenize("Hi Dr. Patel, Kim here.")) == ["Kim", "Dr. Patel"]
