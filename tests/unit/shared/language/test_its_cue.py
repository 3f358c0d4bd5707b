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
        "its for my sisters birthday so its miles off",
    ],
)
def test_its_before_an_everyday_word_introduces_no_one(text: str) -> None:
    assert caller_name(tokenize(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        "it's will be ready on friday, call me back",
        "hi it's grace period ends tomorrow on the loan",
        "it's bill payment i'm calling about",
    ],
)
def test_its_before_a_name_that_is_an_everyday_word_introduces_no_one(text: str) -> None:
    assert caller_name(tokenize(text)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's grace, grace miller here, about the boiler", "Grace Miller"),
        ("it's will from the garage, your car is ready", "Will"),
        ("hi it's sarah", "Sarah"),
        ("it's john smith about my order", "John Smith"),
        ("hi it's mark calling about the invoice", "Mark"),
        ("hi it's stan whenever you've got a minute", "Stan"),  # not "Stan Whenever"
        ("hi its stan whenever you've got a minute", "Stan"),
    ],
)
def test_its_before_a_name_said_as_one_introduces_the_caller(text: str, expected: str) -> None:
    assert caller_name(tokenize(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hello there the thermostat's blank uh it's mild out so next week would be grand",
        "it's cold in here and the boiler is off",
        "it's sunny so no rush",
        "it's grand, no rush, call me back",
        "hi it's freezing in the flat since tuesday",
        "It's Mild out, so no rush on the heating.",
    ],
)
def test_its_before_a_word_of_the_weather_or_how_things_are_introduces_no_one(text: str) -> None:
    assert caller_name(tokenize(text)) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi it's sunny from the salon, call me back", "Sunny"),
        ("it's sunny patel about my order", "Sunny Patel"),
    ],
)
def test_a_name_that_is_also_the_weather_is_read_where_said_as_one(
    text: str, expected: str
) -> None:
    assert caller_name(tokenize(text)) == expected
