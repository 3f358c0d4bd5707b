"""A season's or an occasion's greeting ("Merry Christmas", "Happy New Year", "Happy
Birthday") is never a name, though "Merry" is a known given name and the greeting is
capitalised like one; a name said after the greeting ("Happy Birthday, Maria") still is."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize
from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])

GREETINGS = [
    "Thanks, and Merry Christmas",
    "Thanks, and Merry Christmas!",
    "Call me back. Thanks. Merry Christmas!",
    "Merry Christmas!",
    "Thanks, Merry Christmas!",
    "Cheers, Merry Xmas to you all.",
    "Thanks, Happy Holidays",
    "Thanks, Happy New Year",
    "Thanks again, and Happy New Year!",
    "Cheers, Happy Easter!",
    "Thanks, Happy Birthday!",
    "Thanks and Happy Thanksgiving",
    "Thanks, Happy Hanukkah.",
    "Happy Holiday",
    "Thanks, Happy Holiday!",
    "Thanks, and Happy Holiday!",
    "Have a Happy Holiday. Call me back.",
    "Thanks, Happy New Years",
]


@pytest.mark.parametrize("text", GREETINGS)
def test_a_greeting_after_a_sign_off_is_kept(text: str) -> None:
    assert redact_text(text, NAMES).text == text


@pytest.mark.parametrize("text", GREETINGS)
def test_a_greeting_is_no_callers_name(text: str) -> None:
    assert caller_name(tokenize(text)) is None


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Thanks, Happy Birthday Maria", "Thanks, Happy Birthday [PERSON_NAME]"),
        ("Merry Christmas, Maria!", "Merry Christmas, [PERSON_NAME]!"),
        ("This is John Smith, Merry Christmas!", "This is [PERSON_NAME], Merry Christmas!"),
        ("Thanks, Merry.", "Thanks, [PERSON_NAME]."),
        ("Happy Holiday, Maria", "Happy Holiday, [PERSON_NAME]"),
        ("Thanks, Happy Holiday, Maria", "Thanks, Happy Holiday, [PERSON_NAME]"),
        ("This is Billie Holiday.", "This is [PERSON_NAME]."),
    ],
)
def test_a_name_beside_a_greeting_is_still_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, NAMES).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, Merry Christmas Eve",
        "Thanks, Merry Christmas Eve!",
        "Thanks and Merry Christmas Eve.",
        "Thanks, Happy Christmas Eve",
        "Thanks, Happy Easter Eve",
        "Thanks, Merry Chrismas",
        "Thanks, Merry Chrismas!",
        "Thanks, Merry Kissmas",
        "Thanks, Merry Everything",
        "Thanks, Merry Everything.",
        "Thanks, Merry Everyone!",
    ],
)
def test_an_eve_a_misspelt_christmas_or_merry_everything_is_a_greeting_not_a_name(
    text: str,
) -> None:
    assert caller_name(tokenize(text)) is None
    assert redact_text(text, NAMES).text == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Merry Christmas Eve, Maria", "Merry Christmas Eve, [PERSON_NAME]"),
        ("Thanks, Merry Chrismas, Maria", "Thanks, Merry Chrismas, [PERSON_NAME]"),
        ("Thanks, Merry Brown.", "Thanks, [PERSON_NAME]."),
        ("Thanks, Merry Ann.", "Thanks, [PERSON_NAME]."),
        ("Happy Christmas Eve, this is Eve Adams.", "Happy Christmas Eve, this is [PERSON_NAME]."),
    ],
)
def test_a_name_after_such_a_greeting_or_merry_before_a_name_is_still_masked(
    text: str, masked: str
) -> None:
    assert redact_text(text, NAMES).text == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Merry Christmas, this is Merry Smith.", "Merry Christmas, this is [PERSON_NAME]."),
        ("This is Merry Smith, Merry Christmas!", "This is [PERSON_NAME], Merry Christmas!"),
        ("This is Eve. Merry Christmas Eve!", "This is [PERSON_NAME]. Merry Christmas Eve!"),
        (
            "This is Eve Adams. Eve again, call me.",
            "This is [PERSON_NAME]. [PERSON_NAME] again, call me.",
        ),
    ],
)
def test_a_callers_first_name_said_in_a_greeting_is_the_greetings_word_there(
    text: str, masked: str
) -> None:
    assert redact_text(text, NAMES).text == masked
