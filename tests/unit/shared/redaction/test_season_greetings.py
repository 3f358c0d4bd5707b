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
