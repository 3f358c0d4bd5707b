"""An access code of four or more digits, once found, is caught wherever it is said again, in
the same text and in the texts made from it, with no word for a code before it ("gate code
4821 ... just punch 4821 at the gate"): a caller repeats a code to be sure of it, and four
digits recur by chance far less than three. A three-digit code, as a card's security code, is
caught again only where a word for a code comes before it, so "room 123" is kept."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction.detect import find_spans, remember
from shared.redaction_policy import RedactionPolicy

EVERYTHING = RedactionPolicy()


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "The gate code is 4821. When you arrive just punch 4821 at the gate.",
            "The gate code is [ACCESS_CODE]. When you arrive just punch [ACCESS_CODE] at the gate.",
        ),
        (
            "Alarm code is 7 3 9 1, so that's 7391 when it beeps.",
            "Alarm code is [ACCESS_CODE], so that's [ACCESS_CODE] when it beeps.",
        ),
        (
            "Door code 55012#. Again, 55012 then the hash key.",
            "Door code [ACCESS_CODE]. Again, [ACCESS_CODE] then the hash key.",
        ),
    ],
)
def test_a_four_digit_code_said_again_in_the_same_text_is_caught(text: str, redacted: str) -> None:
    assert redact_text(text, EVERYTHING).text == redacted


def test_a_four_digit_code_repeated_in_a_reply_is_caught_without_a_code_word() -> None:
    said = "The gate code is 4821."
    known = remember(said, find_spans(said, EVERYTHING))
    reply = "Got it, I'll punch in 4821 when I get there."
    assert redact_text(reply, EVERYTHING, known=known).text == (
        "Got it, I'll punch in [ACCESS_CODE] when I get there."
    )


@pytest.mark.parametrize(
    "text",
    [
        "The alarm code is 123. I'm in room 123 on the third floor.",
        "Gate code 123 for the yard. Also, we ordered 123 bricks and they never came.",
    ],
)
def test_a_three_digit_code_said_again_as_no_code_is_kept(text: str) -> None:
    redacted = redact_text(text, EVERYTHING).text
    assert redacted.count("[ACCESS_CODE]") == 1
    assert "123" in redacted


def test_a_three_digit_code_said_again_as_a_code_is_caught_in_the_same_text() -> None:
    text = "The alarm code is 123. Once more, the code 123."
    assert redact_text(text, EVERYTHING).text == (
        "The alarm code is [ACCESS_CODE]. Once more, the code [ACCESS_CODE]."
    )


def test_other_numbers_beside_a_four_digit_code_are_kept() -> None:
    text = "The gate code is 4821. I'm in room 123, and unit 48210 is next door."
    assert redact_text(text, EVERYTHING).text == (
        "The gate code is [ACCESS_CODE]. I'm in room 123, and unit 48210 is next door."
    )


def test_a_card_security_code_said_again_as_a_code_is_caught_in_the_same_text() -> None:
    text = "My Visa's CVV is 123. Again, the code 123. I'm staying in room 123."
    assert redact_text(text, EVERYTHING).text == (
        "My Visa's CVV is [CREDIT_CARD_NUMBER]. Again, the code [CREDIT_CARD_NUMBER]."
        " I'm staying in room 123."
    )
