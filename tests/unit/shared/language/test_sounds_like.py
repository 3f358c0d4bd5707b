from __future__ import annotations

import pytest

from shared.language.sounds_like import NEAREST, known, names_like


@pytest.mark.parametrize(
    ("heard", "role", "said"),
    [
        # Whisper's spellings of names on the spoken sets, and the names that were said.
        ("Atmet", "given", "Ahmed"),
        ("Griggus", "surname", "Briggs"),
        ("Fuster", "surname", "Foster"),
        ("Carlok", "given", "Carlos"),
        ("Nyna", "given", "Nina"),
        ("Karmini", "surname", "Karimi"),
    ],
)
def test_a_misheard_name_has_the_name_said_among_its_candidates(
    heard: str, role: str, said: str
) -> None:
    assert said in names_like(heard, role)  # type: ignore[arg-type]


def test_candidates_are_written_as_the_lists_spell_them() -> None:
    assert "McLeod" in names_like("Mccleod", "surname")
    assert "O'Neill" in names_like("O'Neil", "surname")


def test_candidates_are_few_nearest_first_and_never_the_word_itself() -> None:
    found = names_like("Brent", "surname")
    assert 0 < len(found) <= NEAREST
    assert "brent" not in {name.lower() for name in found}
    assert names_like("Brent", "surname", limit=2) == found[:2]


def test_the_role_chooses_the_list() -> None:
    assert known("Tasha", "given")
    assert not known("Tasha", "surname")
    assert known("Hoffman", "surname")
    assert not known("Hoffman", "given")
    assert known("Hoffman", "either")
    assert known("Tasha", "either")


def test_a_single_letter_has_no_candidates() -> None:
    assert names_like("J", "given") == []
