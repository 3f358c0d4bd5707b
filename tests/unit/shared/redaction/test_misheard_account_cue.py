"""An "account number" heard as "count number" cues an account number after "my", "your" or
"our" (no count is owned so); a count number is kept ("the head count number is 12000")."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

ACCOUNTS = RedactionPolicy(entities=[Entity.ACCOUNT_NUMBER])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("my count number is 48213991", "my count number is [ACCOUNT_NUMBER]"),
        ("My count number's XJ 48213.", "My count number's [ACCOUNT_NUMBER]."),
        ("your count number is a c seven seven two one", "your count number is [ACCOUNT_NUMBER]"),
    ],
)
def test_a_number_after_my_count_number_is_an_account_number(text: str, redacted: str) -> None:
    assert redact_text(text, ACCOUNTS).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "The head count number is 12000.",
        "My head count number is 12000.",
        "The count number on the meter is 48213.",
        "What's the body count number, 45000?",
    ],
)
def test_a_count_number_that_is_no_misheard_account_number_is_kept(text: str) -> None:
    assert redact_text(text, ACCOUNTS).text == text
