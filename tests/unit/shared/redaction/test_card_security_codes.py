"""A card's security code, written or said after a word for it ("CVV 123", "security code
4 5 6", "the three digits on the back are one two three"), is redacted as card data; three
or four digits with no such word before them are no card data ("security code" with no
card nearby is a door's: test_security_code_without_a_card.py)."""

from __future__ import annotations

import pytest

from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

EVERYTHING = RedactionPolicy()


def _found(text: str) -> list[tuple[Entity, str]]:
    return [(s.entity, text[s.start : s.end]) for s in find_spans(text, EVERYTHING)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The CVV 123, thanks.", "123"),
        ("My cvv is one two three.", "one two three"),
        ("The card's security code is 4821.", "4821"),
        ("the three digits on the back are 4 5 6", "4 5 6"),
        ("the three digits on the back of the card are four five six", "four five six"),
        ("the CVC's 987", "987"),
    ],
)
def test_a_security_code_after_its_cue_is_redacted_as_card_data(text: str, code: str) -> None:
    assert _found(text) == [(Entity.CREDIT_CARD_NUMBER, code)]


def test_the_code_read_after_the_card_number_is_redacted_with_it() -> None:
    text = "my card is 4111 1111 1111 1111, CVV 123"
    assert [said for _, said in _found(text)] == ["4111 1111 1111 1111", "123"]


@pytest.mark.parametrize(
    "text",
    [
        "The security code for the gate changed.",
        "The CVV is on the back.",
        "We have 3 digits on the back of the form.",
        "I paid 123 dollars on my card.",
        "The security code is 12.",
    ],
)
def test_digits_without_a_security_code_cue_or_of_another_length_are_kept(text: str) -> None:
    assert _found(text) == []


def test_a_social_security_number_said_in_groups_stays_a_social_security_number() -> None:
    text = "my social security number is one two three, four five, six seven eight nine"
    assert [entity for entity, _ in _found(text)] == [Entity.US_SOCIAL_SECURITY_NUMBER]
