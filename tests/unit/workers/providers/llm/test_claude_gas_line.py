"""A caller in Great Britain who smells gas is told to leave the building and ring the
National Gas Emergency Service, whoever writes the reply: the prompt asks Claude for the
line, and a reply naming neither that number nor 999 is given the offline responder's."""

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

GAS = "Hi it's Maria at 4 Mill Lane, I can smell gas in the kitchen, please call me back."
GAS_LINE = (
    "If you smell gas, please leave the building now and call the National Gas Emergency "
    "Service on 0800 111 999, or 999 if anyone is hurt or there is a fire."
)


def respond(fake: AnthropicFake, text: str, region: str = "GB") -> Any:
    section = {"api_key": API_KEY, "base_url": fake.base_url, "verify_model": False}
    provider = ClaudeResponder(Settings(anthropic=section).anthropic)
    return provider.respond(
        Transcript(text=text, provider="local"), ReplyContext(default_region=region)
    )


def test_the_prompt_in_great_britain_gives_claude_the_gas_line(fake: AnthropicFake) -> None:
    respond(fake, GAS)

    system = fake.calls()[0].json()["system"]
    assert "smell of gas or a gas leak" in system
    assert GAS_LINE in system


def test_the_prompt_elsewhere_names_no_gas_line(fake: AnthropicFake) -> None:
    respond(fake, GAS, region="US")

    assert "0800" not in fake.calls()[0].json()["system"]


def test_a_reply_to_a_gas_smell_that_left_out_the_line_is_given_the_gas_line(
    fake: AnthropicFake,
) -> None:
    reply = respond(fake, GAS)

    assert reply.text.startswith(GAS_LINE)
    assert "hang up and call 999" not in reply.text


@pytest.mark.parametrize(
    "said",
    [
        "Maria, please get out of the house and ring 0800 111 999 straight away.",
        "Maria, please leave the house and call 0800 111999 now.",
        "Maria, please get outside and call 999 now. We'll call you back.",
    ],
)
def test_a_reply_naming_the_gas_line_or_999_is_not_given_the_line_again(
    fake: AnthropicFake, said: str
) -> None:
    fake.fail_next(tool_answer(**VALID, reply_text=said))

    reply = respond(fake, GAS)

    # Kept as Claude wrote it, its number as written numbers are ("0800 111999").
    assert reply.text.startswith("Maria, please")
    assert "Gas Emergency Service" not in reply.text


def test_the_gas_line_and_the_reply_together_stay_within_the_word_limit(
    fake: AnthropicFake,
) -> None:
    said = " ".join(["We have your message and someone will call you back soon."] * 12)
    fake.fail_next(tool_answer(**VALID, reply_text=said))

    reply = respond(fake, GAS)

    assert reply.text.startswith(GAS_LINE)
    assert len(reply.text.split()) <= MAX_WORDS
    assert len(re.findall(r"0800 111 999", reply.text)) == 1


def test_a_gas_smell_outside_great_britain_gets_the_regions_emergency_line(
    fake: AnthropicFake,
) -> None:
    reply = respond(fake, GAS, region="US")

    assert reply.text.startswith("If anyone is in danger, please hang up and call 911 now.")
