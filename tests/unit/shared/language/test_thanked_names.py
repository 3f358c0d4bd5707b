"""Two title-cased ordinary words after thanks ("Thanks, Great Job!") are no caller's name;
a whole name signed off with after thanks still is."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, Great Job!",
        "Thanks again, Happy Holidays!",
        "Cheers, Well Done.",
        "Thanks, Great Job",
    ],
)
def test_title_cased_words_after_thanks_are_no_callers_name(text: str) -> None:
    assert caller_name(tokenize(text)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks, John Smith!", "John Smith"),
        ("The boiler is leaking again. Thanks again, Harold Finch.", "Harold Finch"),
        ("Thanks, Siddharth Rao.", "Siddharth Rao"),
    ],
)
def test_a_whole_name_after_thanks_is_still_the_callers(text: str, expected: str) -> None:
    assert caller_name(tokenize(text)) == expected
