"""A cue said with "'s" ("my number's", "birthday's", "account number's"), as speech is
transcribed, cues the value after it as the full cue does."""

from __future__ import annotations

import pytest

from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

EVERYTHING = RedactionPolicy()


def _found(text: str) -> list[tuple[Entity, str]]:
    return [(s.entity, text[s.start : s.end]) for s in find_spans(text, EVERYTHING)]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        (
            "My number's five five five one two one two.",
            Entity.PHONE_NUMBER,
            "five five five one two one two",
        ),
        ("Number's 555-1212, thanks.", Entity.PHONE_NUMBER, "555-1212"),
        ("My cell's 555-1212.", Entity.PHONE_NUMBER, "555-1212"),
        ("My account number's 77412903.", Entity.ACCOUNT_NUMBER, "77412903"),
        ("The policy number's p r 7741290.", Entity.ACCOUNT_NUMBER, "p r 7741290"),
        (
            "My birthday's March third nineteen eighty two.",
            Entity.DATE_OF_BIRTH,
            "March third nineteen eighty two",
        ),
        (
            "Date of birth's oh three oh three eighty two.",
            Entity.DATE_OF_BIRTH,
            "oh three oh three eighty two",
        ),
        (
            "My social's one two three four five six seven eight nine.",
            Entity.US_SOCIAL_SECURITY_NUMBER,
            "one two three four five six seven eight nine",
        ),
        (
            "My card's four one one one one one one one one one one one one one one two.",
            Entity.CREDIT_CARD_NUMBER,
            "four one one one one one one one one one one one one one one two",
        ),
    ],
)
def test_a_cue_contracted_with_is_cues_the_value_after_it(
    text: str, entity: Entity, value: str
) -> None:
    assert (entity, value) in _found(text)


def test_a_possessive_that_is_no_cue_still_cues_nothing() -> None:
    # "'s" is stripped only to read a cue: a number after a word that is none stays.
    text = "My brother's 7 days late and the shop's 24 hours."

    assert _found(text) == []
