from __future__ import annotations

import pytest

from shared.language.known_names import is_given_name, is_surname


@pytest.mark.parametrize("name", ["Priya", "Jerome", "Brenda", "Ahmed", "Ingrid", "siobhan"])
def test_given_names_of_many_countries_are_known_in_any_case(name: str) -> None:
    assert is_given_name(name)


@pytest.mark.parametrize("name", ["Raman", "Okafor", "Mendez", "O'Neill", "Larsen"])
def test_surnames_of_many_countries_are_known(name: str) -> None:
    assert is_surname(name)


@pytest.mark.parametrize("word", ["Preer", "Geron", "English", "Calling", "the"])
def test_misheard_names_and_common_words_are_not_given_names(word: str) -> None:
    assert not is_given_name(word)


def test_names_in_another_script_are_left_out() -> None:
    # Faker's Russian and Japanese lists would match nothing in a Latin transcript.
    assert not is_given_name("Иван")
    assert not is_surname("佐藤")
