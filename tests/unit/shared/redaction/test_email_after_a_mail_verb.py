"""A spoken email's local part is the word or words said right before "at", but never the
verb that says an email was sent: "I emailed support at example.com" redacts
support@example.com and keeps "emailed"."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

EMAILS = RedactionPolicy(entities=[Entity.EMAIL_ADDRESS])


@pytest.mark.parametrize(
    ("text", "kept", "value"),
    [
        ("I emailed support at example.com", "I emailed [EMAIL_ADDRESS]", "support@example.com"),
        (
            "I emailed support at example dot com",
            "I emailed [EMAIL_ADDRESS]",
            "support@example.com",
        ),
        ("I e-mailed billing at acme.com", "I e-mailed [EMAIL_ADDRESS]", "billing@acme.com"),
        ("we mailed maria at gmail dot com", "we mailed [EMAIL_ADDRESS]", "maria@gmail.com"),
        (
            "I've been emailing jane dot doe at example dot com",
            "I've been emailing [EMAIL_ADDRESS]",
            "jane.doe@example.com",
        ),
        ("she emails bob at outlook dot com", "she emails [EMAIL_ADDRESS]", "bob@outlook.com"),
        (
            "I messaged help at acme dot io yesterday",
            "I messaged [EMAIL_ADDRESS] yesterday",
            "help@acme.io",
        ),
    ],
)
def test_a_mail_verb_before_a_spoken_address_is_kept_out_of_it(
    text: str, kept: str, value: str
) -> None:
    assert redact_text(text, EMAILS).text == kept
    assert [s.value for s in find_spans(text, EMAILS)] == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Still more than one word before "at" where no verb is among them.
        ("my email is tanya w at gmail dot com", "tanyaw@gmail.com"),
        ("it's john smith at gmail dot com", "johnsmith@gmail.com"),
        ("email me at maria dot lopez at example dot com", "maria.lopez@example.com"),
    ],
)
def test_a_local_part_of_words_with_no_verb_among_them_is_still_taken_whole(
    text: str, value: str
) -> None:
    assert [s.value for s in find_spans(text, EMAILS)] == [value]
