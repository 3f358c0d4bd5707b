"""Messages that ask for no call and no job: a thank-you, a wrong number, a seller's pitch, a
recording, "take me off your mailing list", and "email me instead" (no call, the job kept)."""

from __future__ import annotations

import pytest

from shared.models import Transcript
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder


def _reply(text: str) -> tuple[str, str, str | None]:
    reply = TriageResponder().respond(
        Transcript(text=text, provider="x"), ReplyContext(default_region="GB")
    )
    assert reply.triage is not None
    return reply.text, reply.triage.summary, reply.triage.requested_action


@pytest.mark.parametrize(
    ("text", "said", "noted"),
    [
        ("Thank you for the quick delivery, the sofa's lovely",
         "we'll pass it on to the team", "a thank-you, nothing asked"),
        ("Just wanted to say thank you to the engineer who fixed our boiler yesterday, great job",
         "we'll pass it on to the team", "a thank-you, nothing asked"),
        ("thanks for sorting the boiler out so quickly, much appreciated",
         "we'll pass it on to the team", "a thank-you, nothing asked"),
        ("Sorry, I've got the wrong number", "No problem, thanks for letting us know",
         "a wrong number"),
        ("oh hi is this the pizza place no sorry wrong number", "thanks for letting us know",
         "a wrong number"),
        ("We help businesses like yours grow online, call me back for a free demo on "
         "07700 900418", "We'll be in touch if we're interested", "a sales pitch to us"),
        ("This is an automated message from the council, the road will be closed on Monday",
         "Thank you for the information", "a recorded announcement"),
        ("Please remove me from your mailing list", "We'll take you off our mailing list",
         "take off the mailing list"),
    ],
)  # fmt: skip
def test_a_message_asking_nothing_is_promised_no_call_and_no_job(
    text: str, said: str, noted: str
) -> None:
    reply, summary, action = _reply(text)
    assert said in reply
    assert "call you back" not in reply
    assert "We'll check on" not in reply
    assert "take a look" not in reply
    assert "the problem you reported" not in reply
    assert noted in summary
    assert action is None


def test_a_caller_who_wants_an_email_is_promised_one_not_a_call() -> None:
    reply, summary, _ = _reply("Please don't call me on this number, email me instead")
    assert "we'll reply by email rather than call" in reply
    assert "call you back" not in reply
    assert "wants an email, not a call" in summary


@pytest.mark.parametrize(
    "text",
    [
        "Thanks for the new boiler, but it's leaking again, call me on 07700 900418",
        "Thank you for the delivery, could you call me about the missing chair on 07700 900418",
        "You've got the wrong number for me on file, my new one is 07700 900418",
        "Please don't call me before 5, I'm at work, 07700 900418",
    ],
)
def test_thanks_or_a_wrong_number_with_a_request_still_get_a_call(text: str) -> None:
    reply, _, _ = _reply(text)
    assert "call you back" in reply


@pytest.mark.parametrize(
    "text",
    [
        "Just letting you know I've paid the balance online. No need to call.",
        "found your keys outside, handed them in next door no need to ring bye",
    ],
)
def test_no_need_to_call_said_alone_declines_the_call(text: str) -> None:
    reply, summary, _ = _reply(text)
    assert "no need for us to call you back" in reply
    assert "no call back wanted" in summary


def test_no_need_to_call_someone_else_still_gets_a_call() -> None:
    reply, _, _ = _reply("No need to call the council, just ring me back on 07912 345 678.")
    assert "call you back" in reply
    assert "no need for us" not in reply


@pytest.mark.parametrize(
    "text",
    [
        "My boiler is banging. No need to call anybody out yet, could you give me a rough "
        "idea what it is? 07912 345 678",
        "No need to call everybody in for the meeting, it is just me. 07912 345 678",
    ],
)
def test_no_need_to_call_anybody_or_everybody_is_no_call_back_declined(text: str) -> None:
    # Someone called out to the job or in to a meeting: the caller still wants an answer.
    reply, _, _ = _reply(text)
    assert "no need for us" not in reply
