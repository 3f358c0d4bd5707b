from __future__ import annotations

import pytest

from shared.language.name_hearings import choose_caller_name


@pytest.mark.parametrize(
    ("whisper", "moonshine", "chosen"),
    [
        # Hearings of the voicemail set: each word from the engine that makes it a name.
        ("Preer Raman", "Priya Ramon", "Priya Raman"),
        ("Geron Baptiste", "Jerome Baptiste", "Jerome Baptiste"),
        # Both words known in both hearings, or in neither: the first engine's stand.
        ("Sasha Green", "Sasha Breen", "Sasha Green"),
        ("Sam Okra", "Sam Oka", "Sam Okra"),
    ],
)
def test_each_word_comes_from_the_hearing_that_makes_it_a_known_name(
    whisper: str, moonshine: str, chosen: str
) -> None:
    assert choose_caller_name(whisper, moonshine) == chosen


def test_one_word_heard_is_completed_by_a_hearing_of_the_whole_name() -> None:
    assert choose_caller_name("Alvarez", "Tom Alvarez") == "Tom Alvarez"
    assert choose_caller_name("Dana", "Dana Whitaker") == "Dana Whitaker"


def test_a_second_hearing_of_another_name_does_not_complete_one_word() -> None:
    assert choose_caller_name("Alvarez", "Tom Ruiz") == "Alvarez"


def test_a_name_only_the_second_engine_heard_is_taken_when_it_is_a_given_name() -> None:
    assert choose_caller_name(None, "Brenda Kowalski") == "Brenda Kowalski"
    assert choose_caller_name(None, "Dr. Hoffman") == "Dr. Hoffman"


def test_one_word_that_is_no_known_name_gives_way_to_a_whole_name_heard_by_the_second() -> None:
    # Whisper's "it's Render Carol's kid", Moonshine's "it's Brenda Kowalski".
    assert choose_caller_name("Render", "Brenda Kowalski") == "Brenda Kowalski"


def test_one_known_name_word_or_a_half_known_second_hearing_keeps_the_first() -> None:
    assert choose_caller_name("Alvarez", "Brenda Kowalski") == "Alvarez"
    assert choose_caller_name("Render", "English Life") == "Render"
    assert choose_caller_name("Render", "Brenda") == "Render"


def test_words_only_the_second_engine_read_as_a_name_are_not_taken() -> None:
    # Moonshine's "Hello, English life and calling" for Ingrid Larsen.
    assert choose_caller_name(None, "English Life") is None


def test_without_a_second_hearing_the_first_stands() -> None:
    assert choose_caller_name("Preer Raman", None) == "Preer Raman"
    assert choose_caller_name(None, None) is None


def test_names_with_titles_or_particles_are_not_taken_apart() -> None:
    assert choose_caller_name("Maria de la Cruz", "Mario Cruz") == "Maria de la Cruz"
    assert choose_caller_name("Dr. Preer Raman", "Priya Raman") == "Dr. Preer Raman"
    assert choose_caller_name("Dr. Preer Raman", "Dr. Priya Raman") == "Dr. Priya Raman"
