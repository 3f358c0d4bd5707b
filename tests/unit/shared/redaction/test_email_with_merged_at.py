"""An email whose "at" the recogniser merged into the word ("Maria.Lopasetexample.com" for
maria.lopas at example.com) is, after an email cue, redacted whole as an email address, not
as a name with its domain left over."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import RedactionPolicy

EVERYTHING = RedactionPolicy()


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("my email is Maria.Lopasetexample.com thanks", "my email is [EMAIL_ADDRESS] thanks"),
        ("Hi, this is Maria. My email is Maria.Lopasetexample.com.",
         "Hi, this is [PERSON_NAME]. My email is [EMAIL_ADDRESS]."),
        ("e-mail: mariaatgmail.com", "e-mail: [EMAIL_ADDRESS]"),
        ("my e mail address is jdoeatacme.co.uk", "my e mail address is [EMAIL_ADDRESS]"),
        ("email me at mariaatexample.org please", "email me at [EMAIL_ADDRESS] please"),
    ],
)  # fmt: skip
def test_a_word_ending_in_a_domain_after_an_email_cue_is_one_email(
    text: str, redacted: str
) -> None:
    assert redact_text(text, EVERYTHING).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "The email is down, check example.com later.",
        "The website is acme.com.",
        "My email is broken.",
        "Did you get my email? It was about the order.",
    ],
)
def test_a_domain_without_an_email_cue_straight_before_it_is_kept(text: str) -> None:
    assert redact_text(text, EVERYTHING).text == text
