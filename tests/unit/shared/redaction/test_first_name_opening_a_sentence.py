"""A caller's one-word name is also a word a sentence opens with ("Hope you are well, Hope
here"): there it is capitalised as the name is, and both were masked. Said first in its
sentence and straight before a pronoun or "to", it is the verb, and is kept."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction.detect import remember
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Hope you are well, Hope here.", "Hope you are well, [PERSON_NAME] here."),
        (
            "Will you call me back? Will here.",
            "Will you call me back? [PERSON_NAME] here.",
        ),
        (
            "Hi, Hope here. Hope to hear from you soon.",
            "Hi, [PERSON_NAME] here. Hope to hear from you soon.",
        ),
        (
            "This is Hope Adams. Hope you got my note.",
            "This is [PERSON_NAME]. Hope you got my note.",
        ),
    ],
)
def test_the_name_opening_a_sentence_before_a_pronoun_is_the_ordinary_word(
    text: str, redacted: str
) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Hope here. Hope again, call me.", "[PERSON_NAME] here. [PERSON_NAME] again, call me."),
        ("Hope here. Hope, you there?", "[PERSON_NAME] here. [PERSON_NAME], you there?"),
        (
            "Hi, this is Hope. I said Hope you know.",
            "Hi, this is [PERSON_NAME]. I said [PERSON_NAME] you know.",
        ),
    ],
)
def test_the_name_said_anywhere_else_is_still_masked(text: str, redacted: str) -> None:
    assert redact_text(text, NAMES).text == redacted


def test_a_reply_keeps_the_verb_a_known_one_word_name_also_opens_a_sentence_with() -> None:
    heard = "Hi, Hope here. Call me back."
    known = remember(heard, redact_text(heard, NAMES).spans)
    reply = "Hi Hope, thanks for calling. Hope you are well. Hope, we will call."

    assert redact_text(reply, NAMES, known=known).text == (
        "Hi [PERSON_NAME], thanks for calling. Hope you are well. [PERSON_NAME], we will call."
    )


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "Hi, this is Maria. Maria to call you back tomorrow.",
            "Hi, this is [PERSON_NAME]. [PERSON_NAME] to call you back tomorrow.",
        ),
        (
            "Hey it's Sarah. Sarah it's urgent, please call.",
            "Hey it's [PERSON_NAME]. [PERSON_NAME] it's urgent, please call.",
        ),
    ],
)
def test_a_name_that_is_no_everyday_word_is_masked_opening_a_sentence_before_a_pronoun(
    text: str, redacted: str
) -> None:
    assert redact_text(text, NAMES).text == redacted


def test_a_summary_masks_a_known_name_that_is_no_everyday_word_before_to() -> None:
    heard = "Hi, this is Maria Lopez calling about my bill."
    known = remember(heard, redact_text(heard, NAMES).spans)
    summary = "Wants a callback. Maria to send the invoice. Lopez to sign."

    assert redact_text(summary, NAMES, known=known).text == (
        "Wants a callback. [PERSON_NAME] to send the invoice. [PERSON_NAME] to sign."
    )
