"""A name said with a title and no introduction, on from other words, is the person the
caller asks for or speaks of ("Please call Dr. Smith tomorrow"), not the caller, who says
"this is Dr. Smith", "Dr. Smith here", or opens with it ("Hello, Mr Fairweather, flat 12 in
Rowan House"); and a title ends no name ("Elm Dr. Call me" is a street's "Dr.", neither
the caller nor a name to mask). The named person is still masked."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize
from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    "text",
    [
        "Please call Dr. Smith tomorrow.",
        "Could you call Dr. Smith tomorrow?",
        "Please ask Dr. Smith to call me.",
        "Please call Mr. Jones back.",
        "Please have Mrs. Alvarez call me back.",
        "Please call Doctor Patel tomorrow.",
        "Please call Mister Brown.",
        "Please call Ms. Grant at the office.",
        "My favourite is Mister Softee.",
    ],
)
def test_a_titled_name_said_without_an_introduction_is_not_the_caller(text: str) -> None:
    assert caller_name(tokenize(text)) is None
    assert "[PERSON_NAME]" in redact_text(text, NAMES).text


@pytest.mark.parametrize(
    ("text", "caller"),
    [
        ("This is Dr. Smith, please call me back.", "Dr. Smith"),
        ("Hi, Dr. Smith here, call me back.", "Dr. Smith"),
        ("Please call Dr. Smith tomorrow. This is Anna.", "Anna"),
        ("Please call Dr. Smith tomorrow, thanks, Anna Lee.", "Anna Lee"),
        ("Hello, Mr Fairweather, flat 12 in Rowan House.", "Mr Fairweather"),
        ("Mr Okonkwo at 24 Fenwick Close. The streetlight is sparking.", "Mr Okonkwo"),
        ("Good afternoon, Mr and Mrs Okonkwo here.", "Mrs Okonkwo"),
    ],
)
def test_the_caller_who_introduces_themselves_is_read_beside_a_titled_name(
    text: str, caller: str
) -> None:
    assert caller_name(tokenize(text)) == caller


@pytest.mark.parametrize(
    "text",
    ["Elm Dr. Call me", "Elm Dr. Call me back.", "Oak Dr. Call me back.", "Maple Dr. Please call."],
)
def test_a_streets_dr_before_the_next_sentence_is_no_caller_and_no_name(text: str) -> None:
    assert caller_name(tokenize(text)) is None
    assert redact_text(text, NAMES).text == text
