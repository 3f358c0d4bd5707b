"""Claude's ``dates`` follow the offline triage's convention for a day said of the past:
"last monday" as said, "monday (past)" for a weekday in a clause told in the past
(shared/language/past_days.py), so the inbox never dates a past visit to the coming day."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.anthropic import AnthropicFake
from tests.unit.workers.providers.llm.test_claude import VALID, respond, tool_answer
from workers.providers.llm.claude import VOICEMAIL_TOOL, system_prompt


def dates_kept(fake: AnthropicFake, heard: str, dates: list[str]) -> Any:
    fake.fail_next(tool_answer(**{**VALID, "dates": dates, "reply_text": "Hello Ann."}))
    return respond(fake, heard).triage.dates


def test_the_tool_tells_claude_how_to_write_a_day_said_of_the_past() -> None:
    told = VOICEMAIL_TOOL["input_schema"]["properties"]["dates"]["description"]

    assert "last monday" in told
    assert "monday (past)" in told


def test_the_prompt_says_a_past_day_is_never_offered_in_a_sentence_of_its_own() -> None:
    # Run on into the rule before it, the model read "…has not confirmed A day the caller…".
    assert "the business has not confirmed. A day the caller" in system_prompt(None)


@pytest.mark.parametrize(
    ("heard", "claude", "kept"),
    [
        ("Hi, we came in on Monday and it was closed.", ["Monday"], ["monday (past)"]),
        ("I was in last Monday about the boiler.", ["monday"], ["last monday"]),
        ("I dropped it off on Tuesday at 3pm.", ["tuesday 15:00"], ["tuesday 15:00 (past)"]),
        ("I was in last Monday.", ["last monday"], ["last monday"]),
        ("Could I come in on Monday?", ["monday"], ["monday"]),
        (
            "We came in on Monday, can I book Friday?",
            ["monday", "friday"],
            ["monday (past)", "friday"],
        ),
        ("I paid on the 5th.", ["the 5th (past)"], ["the 5th (past)"]),
    ],
)
def test_a_day_said_of_the_past_is_written_as_the_offline_triage_writes_it(
    fake: AnthropicFake, heard: str, claude: list[str], kept: list[str]
) -> None:
    assert dates_kept(fake, heard, claude) == kept


@pytest.mark.parametrize(
    ("heard", "claude", "kept"),
    [
        (
            "I came in on Monday and it was shut, can I come back next Monday?",
            ["monday"],
            ["monday"],
        ),
        (
            "I came in on Monday and it was shut, can I come back next Monday?",
            ["monday (past)", "next monday"],
            ["monday (past)", "next monday"],
        ),
        ("We came in on Monday and it was closed.", ["next monday"], ["next monday"]),
        ("We came in on Monday and it was closed.", ["monday next week"], ["monday next week"]),
    ],
)
def test_a_day_the_voicemail_or_claude_also_names_as_still_to_come_is_left_as_written(
    fake: AnthropicFake, heard: str, claude: list[str], kept: list[str]
) -> None:
    assert dates_kept(fake, heard, claude) == kept
