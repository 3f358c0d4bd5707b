"""A five-digit account, policy or order number said after its cue is redacted, as a longer
one is; a shorter run after the cue (a year, an amount, a time) is kept."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

ACCOUNTS = RedactionPolicy(entities=[Entity.ACCOUNT_NUMBER])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("My account number is 48213.", "My account number is [ACCOUNT_NUMBER]."),
        ("My policy number is 77412, thanks.", "My policy number is [ACCOUNT_NUMBER], thanks."),
        ("I need 4 pens, order number 55512.", "I need 4 pens, order number [ACCOUNT_NUMBER]."),
        (
            "my account number is four eight two one three",
            "my account number is [ACCOUNT_NUMBER]",
        ),
    ],
)
def test_a_five_digit_number_after_its_cue_is_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, ACCOUNTS).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "The account was opened in 2019.",
        "My account is 200 dollars short.",
        "The policy is 1500 a year.",
    ],
)
def test_four_digits_or_fewer_after_a_cue_are_kept(text: str) -> None:
    assert redact_text(text, ACCOUNTS).text == text
