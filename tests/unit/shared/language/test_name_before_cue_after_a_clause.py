"""A caller who names themselves before "here", "calling" or "speaking" after saying
something else ("Ask for Mrs. Jones at the desk, Tom here.") is the caller, and masked, as
at the start of a message ("Tom here, ask for ..."): in a cased transcript, the name a known
given name said as a clause of its own, a pause before it and after the cue."""

from __future__ import annotations

import pytest

from shared.language.names import caller_name
from shared.language.tokens import tokenize
from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ask for Mrs. Jones at the desk, Tom here.", "Ask for [N] at the desk, [N] here."),
        ("Ask for Mrs. Jones at the desk. Tom here.", "Ask for [N] at the desk. [N] here."),
        ("Ask for Mrs. Jones at the desk, Tom calling.", "Ask for [N] at the desk, [N] calling."),
        ("Please see Mrs. Jones, Tom speaking.", "Please see [N], [N] speaking."),
        ("It's not working, Grace here.", "It's not working, [N] here."),
    ],
)
def test_a_given_name_said_before_here_after_a_pause_is_the_caller_and_masked(
    text: str, masked: str
) -> None:
    name = text.split(", ")[-1].split(". ")[-1].split()[0]
    assert caller_name(tokenize(text)) == name
    assert redact_text(text, NAMES).text.replace("[PERSON_NAME]", "[N]") == masked


@pytest.mark.parametrize(
    "text",
    [
        "I'll be there, Mark calling back later.",  # no pause after the cue: not a clause
        "The store is open, come here.",
        "ask for mrs jones at the desk, tom here.",  # lower case: nothing to tell it by
    ],
)
def test_no_caller_is_read_from_a_cue_not_said_as_a_clause_after_a_given_name(
    text: str,
) -> None:
    assert caller_name(tokenize(text)) is None
