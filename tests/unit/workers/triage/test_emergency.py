from __future__ import annotations

import pytest

from shared.models import Transcript
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder
from workers.triage.emergency import emergency_number
from workers.triage.reply import MAX_WORDS


def _reply(text: str, region: str = "US") -> tuple[str, str, str]:
    reply = TriageResponder().respond(
        Transcript(text=text, provider="x"), ReplyContext(default_region=region)
    )
    assert reply.triage is not None
    return reply.text, reply.triage.summary, reply.triage.urgency


@pytest.mark.parametrize(
    ("text", "region", "number"),
    [
        ("There's smoke coming out of the socket and my husband has collapsed, please help!",
         "GB", "999"),
        ("my dad isn't breathing please send someone", "US", "911"),
        ("I can smell gas in the kitchen, can somebody come out, no rush", "AU", "000"),
        ("Hi, a man has collapsed in your shop doorway, he's unconscious", "DE", "112"),
        ("My wife has chest pains and can't get up, please call me back", "BR",
         "your local emergency number"),
        ("there's a fire in the kitchen of the restaurant, we need help now", "US", "911"),
    ],
)  # fmt: skip
def test_a_caller_describing_an_emergency_is_told_first_to_ring_the_emergency_number(
    text: str, region: str, number: str
) -> None:
    reply, summary, level = _reply(text, region)
    assert reply.startswith("Hello,") or reply.startswith("Hello ")
    first_two = " ".join(reply.split(". ")[:2])
    assert f"call {number} now" in first_two
    assert level == "high"
    assert "emergency message" in summary


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I need an emergency plumber, the pipe burst, call me on 617 482 3391",
        "It's not an emergency but could you call me about my gas bill",
        "Could I get a quote for a fire door, call me back",
        "The house sale has collapsed, so please cancel the removal van",
        "Nobody was hurt but the fence is down, can you come and look",
        "Drop me a line whenever, nothing's on fire",
        "my wife is going to kill me if the boiler isn't fixed by tonight",
        "someone broke in last night and smashed the back door lock, can you fix it",
    ],
)
def test_emergency_words_that_describe_no_danger_send_nobody_away(text: str) -> None:
    reply, summary, _ = _reply(text)
    assert "emergency number" not in reply
    assert "call 911" not in reply
    assert "emergency message" not in summary


def test_a_caller_who_has_rung_the_emergency_services_is_not_told_to_ring_them() -> None:
    reply, summary, level = _reply(
        "There's smoke coming out of your back vent, I've called the fire brigade", "GB"
    )
    assert "999" not in reply
    assert "emergency message" in summary
    assert level == "high"


def test_the_emergency_number_is_the_regions_or_the_local_one() -> None:
    assert emergency_number("us") == "911"
    assert emergency_number("GB") == "999"
    assert emergency_number("FR") == "112"
    assert emergency_number("ZZ") == "your local emergency number"


@pytest.mark.parametrize(
    "text",
    [
        "Could I get a quote for a fire door, call me back",
        "the smoke alarm in the hall keeps chirping, can someone swing by",
        "we're doing a fire safety review and need your certificate date",
    ],
)
def test_a_thing_named_for_a_danger_does_not_make_a_message_urgent(text: str) -> None:
    _, _, level = _reply(text)
    assert level != "high"


@pytest.mark.parametrize(
    "text",
    [
        "Hi it's Dave, I can smell gas in the kitchen, can somebody come out, no rush",
        "there's a gas leak by the meter in the hall, please ring me back",
        "the whole house smells of gas and my husband has collapsed",
    ],
)
def test_a_caller_in_great_britain_who_smells_gas_is_sent_out_and_to_the_gas_line(
    text: str,
) -> None:
    reply, summary, level = _reply(text, "GB")
    opening = " ".join(reply.split(". ")[:2])
    assert "please leave the building now" in opening
    assert "call the National Gas Emergency Service on 0800 111 999" in opening
    assert "or 999 if anyone is hurt or there is a fire" in opening
    assert "This voicemail cannot send help." in reply
    assert (level, "emergency message" in summary) == ("high", True)
    assert len(reply.split()) <= MAX_WORDS


@pytest.mark.parametrize(("region", "number"), [("US", "911"), ("AU", "000"), ("IE", "112")])
def test_a_gas_smell_outside_great_britain_keeps_the_regions_emergency_number(
    region: str, number: str
) -> None:
    reply, _, _ = _reply("I can smell gas in the kitchen, can somebody come out", region)
    assert f"call {number} now" in reply
    assert "0800" not in reply
    assert "Gas Emergency" not in reply


def test_another_danger_in_great_britain_is_not_sent_to_the_gas_line() -> None:
    reply, _, _ = _reply("my dad has collapsed and he isn't breathing", "GB")
    assert "call 999 now" in reply
    assert "0800 111 999" not in reply


def test_a_caller_in_great_britain_who_smells_no_gas_is_not_sent_to_the_gas_line() -> None:
    reply, _, _ = _reply("We don't smell gas but the boiler has stopped, call me back", "GB")
    assert "0800 111 999" not in reply
    assert "hang up" not in reply


def test_the_gas_line_is_great_britains_alone() -> None:
    from workers.triage.emergency import gas_emergency_number

    assert gas_emergency_number("gb") == "0800 111 999"
    assert gas_emergency_number("US") is None
    assert gas_emergency_number("IE") is None


# Offline recognisers and typed messages drop apostrophes ("isnt", "dont"): the danger, its
# denial and "help is called" must read the same without them.
@pytest.mark.parametrize(
    "text",
    [
        "my dad isnt breathing please help",
        "he cant breathe and his lips are blue",
        "she wont wake up, please",
        "his hand wont stop bleeding",
        "theres smoke coming from the fuse box and my husbands collapsed",
    ],
)
def test_a_danger_written_without_apostrophes_is_an_emergency(text: str) -> None:
    reply, _, level = _reply(text)
    assert "call 911 now" in reply
    assert level == "high"


@pytest.mark.parametrize(
    "text",
    [
        "we dont smell gas anymore, the engineer sorted it, just send the invoice",
        "nobodys hurt and theres no smoke coming now, can you check the wiring",
        "ive called an ambulance, hes unconscious, please let his manager know",
    ],
)
def test_a_denial_or_a_call_for_help_without_apostrophes_sends_nobody_away(text: str) -> None:
    reply, _, _ = _reply(text)
    assert "call 911" not in reply


@pytest.mark.parametrize(
    "text",
    [
        "I'm not sure if it's a gas leak but there's a funny smell in the hall",
        "I don't know if there's a gas leak, the hob smells odd, can someone come",
        "wondering if we've got a gas leak, the kitchen smells of eggs",
    ],
)
def test_a_caller_unsure_whether_there_is_a_gas_leak_is_sent_to_safety(text: str) -> None:
    # "if" denies a danger said as a hypothesis ("call us if you smell gas"), not one the
    # caller suspects: whoever suspects a leak is to leave and ring, not wait for a call back.
    reply, _, level = _reply(text)
    assert "call 911 now" in reply
    assert level == "high"


def test_a_danger_said_as_a_hypothesis_sends_nobody_away() -> None:
    reply, _, _ = _reply("Could you tell me what to do if there's a gas leak at the flat?")
    assert "call 911" not in reply
