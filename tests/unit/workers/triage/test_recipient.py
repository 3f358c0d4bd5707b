"""A message for a named person at the business: the summary says whom it is for, and the
reply says it will be passed on (not "We'll get that invoice over to you")."""

from __future__ import annotations

import pytest

from shared.language.tokens import tokenize
from shared.models import Transcript
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder
from workers.triage.recipient import message_for


def test_a_message_for_a_colleague_names_them_and_is_passed_on() -> None:
    text = (
        "Hi this is a message for Julie in accounts, could she call me back about invoice "
        "4471, it's Dave on 617 482 3391"
    )
    reply = TriageResponder().respond(
        Transcript(text=text, provider="x"), ReplyContext(default_region="US")
    )
    assert "We'll pass your message on to Julie." in reply.text
    assert "invoice over to you" not in reply.text
    assert reply.triage.summary.startswith("Dave left a message for Julie in accounts about")
    assert reply.triage.requested_action == "call back"


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("could you pass this on to Dr Patel please", "Dr. Patel"),
        ("hello um this is for doctor patel um its ananya", "Dr. Patel"),
        ("ive been trying to reach sharon can you tell her to ring me", "Sharon"),
        ("Hello, this is a message for Gary. The match is off Sunday", "Gary"),
        ("hi this is a message for the team", None),
        ("I've been trying to reach you about my order", None),
        ("this is Julie from accounts, call me back", None),
    ],
)
def test_only_a_name_after_a_cue_is_whom_the_message_is_for(text: str, person: str | None) -> None:
    assert message_for(tokenize(text)) == person
