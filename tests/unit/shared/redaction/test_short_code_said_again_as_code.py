"""A short code (three digits) found once is caught again only where a word for a code is
said of it: in its own sentence, and for no number between ("The gate code is 123. Room
123." and "the gate code is 123 and room 123" say the room's number, which stays)."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

CODES = RedactionPolicy(entities=[Entity.ACCESS_CODE, Entity.CREDIT_CARD_NUMBER])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("The gate code is 123. Room 123.", "The gate code is [ACCESS_CODE]. Room 123."),
        ("The gate code is 123! Room 123.", "The gate code is [ACCESS_CODE]! Room 123."),
        ("The gate code is 123? Room 123.", "The gate code is [ACCESS_CODE]? Room 123."),
        ("The gate code is 123 and room 123.", "The gate code is [ACCESS_CODE] and room 123."),
        (
            "My card is 4111 1111 1111 1111, CVV 123. Meet in room 123.",
            "My card is [CREDIT_CARD_NUMBER], CVV [CREDIT_CARD_NUMBER]. Meet in room 123.",
        ),
    ],
)
def test_a_short_codes_digits_said_for_something_else_are_kept(text: str, redacted: str) -> None:
    assert redact_text(text, CODES).text == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "The gate code is 123, the code 123 again.",
            "The gate code is [ACCESS_CODE], the code [ACCESS_CODE] again.",
        ),
        (
            "The gate code is 123. The code is 123.",
            "The gate code is [ACCESS_CODE]. The code is [ACCESS_CODE].",
        ),
        (
            "The gate code is 123. I repeat, code 123.",
            "The gate code is [ACCESS_CODE]. I repeat, code [ACCESS_CODE].",
        ),
        (
            "The gate code is 123. It costs 1.23 dollars, code 123.",
            "The gate code is [ACCESS_CODE]. It costs 1.23 dollars, code [ACCESS_CODE].",
        ),
        (
            "The gate code is 4821. Room 4821.",
            "The gate code is [ACCESS_CODE]. Room [ACCESS_CODE].",
        ),
    ],
)
def test_a_code_said_again_as_a_code_is_still_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, CODES).text == redacted
