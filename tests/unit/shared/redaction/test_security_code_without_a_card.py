"""The words "security code" name a card's code only where a card is spoken of nearby:
"security code is 4821" with no card about it is a door's or an alarm's, an access code
(test_access_codes.py), and is not written up as card data. The cues that only a card has ("CVV",
"CVC", "digits on the back") take the code wherever they are said."""

from __future__ import annotations

import pytest

from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

EVERYTHING = RedactionPolicy()


def _found(text: str) -> list[tuple[Entity, str]]:
    return [(s.entity, text[s.start : s.end]) for s in find_spans(text, EVERYTHING)]


@pytest.mark.parametrize(
    "text",
    [
        "The security code is 4821.",
        "security code is 4821",
        "The alarm security code is 4821, the gate opens on its own.",
        "For the front door the security code is one two three four.",
    ],
)
def test_a_security_code_with_no_card_about_it_is_an_access_code_not_card_data(text: str) -> None:
    assert [entity for entity, _ in _found(text)] == [Entity.ACCESS_CODE]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My card's security code is 4821.", "4821"),
        ("The security code on my Visa is 482.", "482"),
        ("I'll pay by credit card, the security code is 4 8 2.", "4 8 2"),
        ("The security code is 482, it's my debit card.", "482"),
        ("The CVV is 482.", "482"),
        ("the three digits on the back are 4 5 6", "4 5 6"),
    ],
)
def test_a_security_code_said_about_a_card_is_still_card_data(text: str, code: str) -> None:
    assert _found(text) == [(Entity.CREDIT_CARD_NUMBER, code)]


def test_a_security_code_read_after_the_card_number_is_card_data_with_no_card_word() -> None:
    text = "It's 4111 1111 1111 1111, security code 123."
    assert _found(text) == [
        (Entity.CREDIT_CARD_NUMBER, "4111 1111 1111 1111"),
        (Entity.CREDIT_CARD_NUMBER, "123"),
    ]
