"""A first name the caller wrote capitalised is caught again said alone, but not where a
cased transcript writes the same letters lower-case as the ordinary word they also are
("This is Will Turner, I will call": "will" is the verb)."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_mapping, redact_text
from shared.redaction.detect import remember
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "This is Will Turner, I will call again.",
            "This is [PERSON_NAME], I will call again.",
        ),
        (
            "Hi this is Frank Moss. I want to be frank with you.",
            "Hi this is [PERSON_NAME]. I want to be frank with you.",
        ),
        ("Hi this is Frank. I want to be frank.", "Hi this is [PERSON_NAME]. I want to be frank."),
        (
            "Hi, this is Grace Kim. Thanks for the grace period.",
            "Hi, this is [PERSON_NAME]. Thanks for the grace period.",
        ),
        (
            "This is Mark Evans, please mark the date.",
            "This is [PERSON_NAME], please mark the date.",
        ),
    ],
)
def test_a_capitalised_first_name_written_lower_case_later_is_an_ordinary_word(
    text: str, redacted: str
) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        # Said alone capitalised, it is the name again.
        (
            "This is Will Turner. Will again, call me.",
            "This is [PERSON_NAME]. [PERSON_NAME] again, call me.",
        ),
        # Introduced lower-case, the transcript writes the name so: alone it is the name.
        (
            "Hi, this is john smith calling. Again it's john.",
            "Hi, this is [PERSON_NAME] calling. Again it's [PERSON_NAME].",
        ),
        # A lower-case transcript cannot tell the name from the word: it is caught.
        ("this is will turner, i will call", "this is [PERSON_NAME], i [PERSON_NAME] call"),
    ],
)
def test_a_first_name_said_alone_as_the_transcript_writes_the_name_is_still_caught(
    text: str, redacted: str
) -> None:
    assert redact_text(text, NAMES).text == redacted


def test_a_reply_keeps_the_ordinary_word_a_capitalised_callers_first_name_also_is() -> None:
    heard = "Hi, this is Will Turner. Call me."
    known = remember(heard, redact_text(heard, NAMES).spans)
    reply = "Hi Will, I will call you back. Will Turner, we will be in touch."

    assert redact_text(reply, NAMES, known=known).text == (
        "Hi [PERSON_NAME], I will call you back. [PERSON_NAME], we will be in touch."
    )


def test_a_caller_name_field_written_capitalised_keeps_the_ordinary_word_in_the_summary() -> None:
    triage = {"caller_name": "Frank Moss", "summary": "Frank Moss will be frank about the cost."}

    redacted = redact_mapping(triage, NAMES, whole={"caller_name": Entity.PERSON_NAME})

    assert redacted["summary"] == "[PERSON_NAME] will be frank about the cost."


def test_a_first_name_a_lower_case_transcript_gave_is_caught_in_the_reply_however_written() -> None:
    heard = "hi this is maria lopez call me"
    known = remember(heard, redact_text(heard, NAMES).spans)

    assert redact_text("Hi maria, thanks.", NAMES, known=known).text == "Hi [PERSON_NAME], thanks."


def test_a_lower_case_hearing_still_loses_a_first_name_another_hearing_wrote_capitalised() -> None:
    # A hybrid's second engine may write no capitals: there the word and the name look alike.
    heard = "Hi, this is Will Turner. Call me."
    known = remember(heard, redact_text(heard, NAMES).spans)

    assert redact_text("yes will again call me", NAMES, known=known).text == (
        "yes [PERSON_NAME] again call me"
    )
