"""A door's, a gate's or an alarm's code said after a word for it ("gate code 4821", "the
alarm code is 7 3 9 1", "door code 1234#", "the security code is 4821" with no card about
it) lets a stranger in, and is redacted as an access code. Three to eight digits after the
cue; a card's security code stays card data, and other codes ("zip code", "area code",
"promo code") and digits with no cue are kept."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction.detect import find_spans, remember
from shared.redaction_policy import Entity, RedactionPolicy

EVERYTHING = RedactionPolicy()
CODES = RedactionPolicy(entities=[Entity.ACCESS_CODE])


def _found(text: str, policy: RedactionPolicy = EVERYTHING) -> list[tuple[Entity, str]]:
    return [(s.entity, text[s.start : s.end]) for s in find_spans(text, policy)]


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("the security code is 4821", "the security code is [ACCESS_CODE]"),
        ("gate code 4821", "gate code [ACCESS_CODE]"),
        ("alarm code is 7 3 9 1", "alarm code is [ACCESS_CODE]"),
        ("door code 1234#", "door code [ACCESS_CODE]"),
        ("The door code is *4821, come on in.", "The door code is [ACCESS_CODE], come on in."),
        ("My gate code's four eight two one.", "My gate code's [ACCESS_CODE]."),
        ("The code for the front gate is 48213.", "The code for the front gate is [ACCESS_CODE]."),
        ("the lockbox code is 0 4 1 9 and", "the lockbox code is [ACCESS_CODE] and"),
        ("The gate code for our yard has changed to 4417, for your driver.",
         "The gate code for our yard has changed to [ACCESS_CODE], for your driver."),
        ("The entry code to the building is 2468.",
         "The entry code to the building is [ACCESS_CODE]."),
        ("the alarm code is 7391 and the gate code is 4821.",
         "the alarm code is [ACCESS_CODE] and the gate code is [ACCESS_CODE]."),
    ],
)  # fmt: skip
def test_a_code_after_a_door_gate_or_alarm_cue_is_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, EVERYTHING).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "My card's security code is 4821.",
        "The security code on my Visa is 482.",
        "It's 4111 1111 1111 1111, security code 123.",
    ],
)
def test_a_cards_security_code_is_no_access_code(text: str) -> None:
    assert Entity.ACCESS_CODE not in [e for e, _ in _found(text)]
    assert _found(text, CODES) == []


@pytest.mark.parametrize(
    "text",
    [
        "My zip code is 94110.",
        "The area code is 415.",
        "Use promo code 2024 at checkout.",
        "The gate code changed last week.",
        "The door code is 12.",
        "I'm in room 123 on the third floor.",
        "The code for the discount is 1234.",
        "Error code 503 on the boiler.",
        "The building code 2018 says the rail is too low.",
    ],
)
def test_other_codes_and_digits_without_a_cue_are_kept(text: str) -> None:
    assert _found(text) == []


def test_a_three_digit_access_code_is_caught_again_only_where_it_is_said_as_a_code() -> None:
    # Four or more digits are caught wherever they are said again:
    # test_access_code_said_again.py.
    said = "The gate code is 482."
    known = remember(said, find_spans(said, EVERYTHING))
    assert redact_text("Noted, code 482 for the gate.", EVERYTHING, known=known).text == (
        "Noted, code [ACCESS_CODE] for the gate."
    )
    kept = "Your order 482 ships on Monday."
    assert redact_text(kept, EVERYTHING, known=known).text == kept
