"""A caller introduced by first name who says the name again in full ("This is Sam from
Acme, Sam Jones") loses the surname too, in a cased transcript: the capitalised words said
straight after the name are more of it, as they are after the introduction itself."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "This is Sam from Acme, Sam Jones.",
            "This is [PERSON_NAME] from Acme, [PERSON_NAME].",
        ),
        (
            "Hi, it's Maria. Again, that's Maria Gonzalez, call me.",
            "Hi, it's [PERSON_NAME]. Again, that's [PERSON_NAME], call me.",
        ),
    ],
)
def test_a_first_name_said_again_with_a_surname_loses_the_surname(text: str, redacted: str) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "This is Sam. Sam. Please call me back.",
            "This is [PERSON_NAME]. [PERSON_NAME]. Please call me back.",
        ),
        (
            "This is Sam calling, Sam I am. Call me.",
            "This is [PERSON_NAME] calling, [PERSON_NAME] I am. Call me.",
        ),
        (
            "Hi, this is Sam. Thanks Sam, Monday works.",
            "Hi, this is [PERSON_NAME]. Thanks [PERSON_NAME], Monday works.",
        ),
        # Capitalised as a sentence's next word, with no pause after the name: common
        # English, no more of it.
        (
            "This is Sam, Sam Please call me back.",
            "This is [PERSON_NAME], [PERSON_NAME] Please call me back.",
        ),
        (
            "This is Mark. Mark My Words, the bill is wrong.",
            "This is [PERSON_NAME]. [PERSON_NAME] My Words, the bill is wrong.",
        ),
    ],
)
def test_words_after_a_name_said_again_that_are_not_more_of_it_are_kept(
    text: str, redacted: str
) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "Hello, Mr. Abernathy here from Abernathy Funeral Services, please call back.",
            "Hello, [PERSON_NAME] here from [PERSON_NAME] Funeral Services, please call back.",
        ),
        (
            "This is Sam from Sam Rivera Plumbing, Sam again.",
            "This is [PERSON_NAME] from [PERSON_NAME] Plumbing, [PERSON_NAME] again.",
        ),
    ],
)
def test_a_name_said_again_at_the_head_of_a_business_name_takes_only_a_known_surname(
    text: str, redacted: str
) -> None:
    # Before: "from [PERSON_NAME], please call back": the business went with the name.
    assert redact_text(text, NAMES).text == redacted
