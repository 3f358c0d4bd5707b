""" "its sarah": an introduction a recogniser wrote without its apostrophe
(shared.language.its_cue)."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("its sarah, about my table on friday, call me back", "Sarah"),
        ("hi its uh frank cole please call me back", "Frank Cole"),
        ("hey um the tap wont stop dripping um its hannah 07700 900 435", "Hannah"),
    ],
)
def test_its_without_its_apostrophe_introduces_the_caller(text: str, expected: str) -> None:
    assert caller_name(tokenize(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "its broken again, call me back",
        "hi its will be ready on friday",
        "the boiler, its engine is making a noise",
        "hi its stan whenever you've got a minute",  # not "Stan Whenever"
        "its for my sisters birthday so its miles off",
    ],
)
def test_its_before_an_everyday_word_introduces_no_one(text: str) -> None:
    assert caller_name(tokenize(text)) is None
