"""A name said after a title is a person's wherever it is said, not only where a cue
introduces it: "Call Dr. Smith tomorrow, Mr. Lee here" names two people. Said by a title
before an everyday word ("Tell Mr. Right"), a business ("Dr. Smith Dental"), a word no name
is ("Dr. Appointment") or a lower-case "doctor" or "miss", nothing is a name."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize
from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "Call Dr. Smith tomorrow, Mr. Lee here",
            "Call [PERSON_NAME] tomorrow, [PERSON_NAME] here",
        ),
        ("Call Dr. Smith tomorrow.", "Call [PERSON_NAME] tomorrow."),
        ("Call Dr. Smith on Monday", "Call [PERSON_NAME] on Monday"),
        ("Ask for Mrs. Jones at the desk.", "Ask for [PERSON_NAME] at the desk."),
        (
            "Hi, this is Mr. Lee from Acme. Please call Dr. Jones.",
            "Hi, this is [PERSON_NAME] from Acme. Please call [PERSON_NAME].",
        ),
        (
            "Hi, it's Sam, my doctor is Dr. Kim Lee.",
            "Hi, it's [PERSON_NAME], my doctor is [PERSON_NAME].",
        ),
        ("See Dr. Smith. Smith is great.", "See [PERSON_NAME]. [PERSON_NAME] is great."),
    ],
)
def test_a_name_after_a_title_is_redacted_wherever_it_is_said(text: str, redacted: str) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "I have to see the doctor Monday.",
        "I'll miss Christmas this year.",
        "Don't miss Grace period deadlines.",
        "Call Dr. Appointment line.",
        "Call Dr. Smith Dental at 555 0100.",
        "Tell Mr. Right I said hi.",
        "I live on Oak Dr. Please call.",
        "The doctor said Monday is fine.",
        "Doctor Who is on tonight.",
        "call dr. smith tomorrow",
    ],
)
def test_a_title_before_no_persons_name_masks_nothing(text: str) -> None:
    assert redact_text(text, NAMES).text == text


def test_the_person_to_call_is_no_callers_name() -> None:
    # Mr. Lee introduces himself, written as "Mr. Lee here" at a message's start is.
    assert caller_name(tokenize("Call Dr. Smith tomorrow, Mr. Lee here")) == "Mr. Lee"
