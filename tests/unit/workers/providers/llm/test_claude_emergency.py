"""A caller describing a danger to life is told first to hang up and ring the region's
emergency number, whoever writes the reply: the prompt asks Claude for it, and a reply that
leaves it out is given the offline responder's line (workers.triage.emergency)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared.models import Transcript
from shared.settings import Settings
from tests.fakes.anthropic import API_KEY, AnthropicFake
from tests.unit.workers.providers.llm.test_claude import VALID, tool_answer
from workers.providers.base import ReplyContext
from workers.providers.llm.claude import ClaudeResponder
from workers.triage.reply import MAX_WORDS

COLLAPSED = (
    "Hi it's Maria, my dad has collapsed in the shop and he's not breathing, "
    "please call me back on 415 555 0198."
)
LINE = "If anyone is in danger, please hang up and call {number} now."


def respond(fake: AnthropicFake, text: str, region: str = "US") -> Any:
    section = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    provider = ClaudeResponder(Settings(anthropic=section).anthropic)
    context = ReplyContext(default_region=region)
    return provider.respond(Transcript(text=text, provider="local"), context)


def test_the_prompt_asks_claude_to_open_with_the_regions_emergency_number(
    fake: AnthropicFake,
) -> None:
    respond(fake, COLLAPSED, region="GB")

    system = fake.calls()[0].json()["system"]
    assert "danger to life" in system
    assert "hang up and call 999" in system


@pytest.mark.parametrize(("region", "number"), [("US", "911"), ("GB", "999"), ("FR", "112")])
def test_a_reply_that_left_out_the_emergency_line_is_given_it_first(
    fake: AnthropicFake, region: str, number: str
) -> None:
    # The fake writes the reply a model that forgot would: no word of the danger.
    reply = respond(fake, COLLAPSED, region=region)

    assert reply.text.startswith(LINE.format(number=number))
    assert "This voicemail cannot send help." in reply.text
    assert "Maria" in reply.text  # Claude's own reply follows


def test_a_region_without_a_known_number_is_told_the_local_emergency_number(
    fake: AnthropicFake,
) -> None:
    reply = respond(fake, COLLAPSED, region="BR")

    assert reply.text.startswith(LINE.format(number="your local emergency number"))


def test_a_reply_in_which_claude_wrote_the_number_is_not_given_it_twice(
    fake: AnthropicFake,
) -> None:
    said = "Maria, please hang up and call 911 right now. We will call you back."
    fake.fail_next(tool_answer(**VALID, reply_text=said))

    reply = respond(fake, COLLAPSED)

    assert reply.text == said
    assert len(re.findall(r"911", reply.text)) == 1


def test_a_phone_number_holding_the_digits_is_not_taken_for_the_emergency_number(
    fake: AnthropicFake,
) -> None:
    said = "Hello Maria, we will call you on (415) 911-0198 shortly."
    fake.fail_next(tool_answer(**VALID, reply_text=said))

    reply = respond(fake, COLLAPSED)

    assert reply.text.startswith(LINE.format(number="911"))


def test_a_caller_who_has_called_the_emergency_services_is_not_told_to(
    fake: AnthropicFake,
) -> None:
    reply = respond(fake, f"{COLLAPSED} I've called an ambulance, it is on its way.")

    assert "hang up" not in reply.text


def test_a_message_describing_no_danger_gets_no_emergency_line(fake: AnthropicFake) -> None:
    reply = respond(fake, "Hi, it's Maria about the emergency plumber visit, call me back.")

    assert "hang up" not in reply.text


def test_the_line_and_the_reply_together_stay_within_the_word_limit(
    fake: AnthropicFake,
) -> None:
    said = " ".join(["We have your message and someone will call you back soon."] * 12)
    fake.fail_next(tool_answer(**VALID, reply_text=said))

    reply = respond(fake, COLLAPSED)

    assert reply.text.startswith(LINE.format(number="911"))
    assert len(reply.text.split()) <= MAX_WORDS


@pytest.mark.parametrize("also", ["", " I've called an ambulance, it is on its way."])
def test_a_danger_to_life_is_urgent_whatever_urgency_claude_gave(
    fake: AnthropicFake, also: str
) -> None:
    # The prompt asks for "high"; a model that answered "normal" would put the call at the
    # back of the list, where the offline responder puts it first (workers.triage.extract).
    fake.fail_next(tool_answer(**VALID, reply_text="Hello Maria, we'll call you back."))

    reply = respond(fake, f"{COLLAPSED}{also}")

    assert reply.triage.urgency == "high"


def test_a_message_describing_no_danger_keeps_claudes_urgency(fake: AnthropicFake) -> None:
    fake.fail_next(tool_answer(**VALID, reply_text="Hello Maria, we'll call you back."))

    reply = respond(fake, "Hi, it's Maria about the emergency plumber visit, call me back.")

    assert reply.triage.urgency == "normal"
