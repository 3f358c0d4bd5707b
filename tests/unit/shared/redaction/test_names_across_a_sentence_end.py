"""A name's words are never split by a sentence's end: a name and the word after a full stop,
question or exclamation mark are never masked as one token swallowing the punctuation between
(the name found is masked wherever it is said, as it always is)."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Thanks, Grace. Grace period is over.",
            "Thanks, [PERSON_NAME]. [PERSON_NAME] period is over.",
        ),
        ("It's me, Michael. Michael, call me.", "It's me, [PERSON_NAME]. [PERSON_NAME], call me."),
        ("this is john. smith called earlier.", "this is [PERSON_NAME]. smith called earlier."),
        ("hi this is anna! bell rang twice.", "hi this is [PERSON_NAME]! bell rang twice."),
    ],
)
def test_a_sentence_end_after_a_name_is_kept_between_two_masks_or_words(
    text: str, kept: str
) -> None:
    assert redact_text(text, NAMES).text == kept
