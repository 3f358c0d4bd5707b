"""A restaurant's bookings (workers.triage.tables): a change of party size, and a table's
hour read as the evening's."""

from __future__ import annotations

import pytest

from shared.models import Transcript
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder
from workers.triage.extract import triage_text


def _reply(text: str, region: str = "US") -> str:
    transcript = Transcript(text=text, provider="test")
    return TriageResponder().respond(transcript, ReplyContext(default_region=region)).text


@pytest.mark.parametrize(
    "text",
    [
        "Hi, this is Sarah, we have a table booked for tonight, can we make it 8 instead of 6?",
        "It'll be six of us instead of four on Friday.",
        "Hi, I'd like to change my reservation to 8 people please.",
        "Can we add 2 more people to our booking on Saturday?",
    ],
)
def test_a_change_of_party_size_is_a_change_to_the_booking_not_a_new_time(text: str) -> None:
    triage = triage_text(text)
    assert triage.requested_action == "change booking"
    assert not any(":" in date for date in triage.dates)
    assert "new party size" in _reply(text)


@pytest.mark.parametrize(
    "text",
    [
        "Could we switch our Friday booking to Saturday instead, still four of us?",
        "I'd like to book a table for Friday, there'll be nine of us.",
        "Six of us can't work since the update, please send someone.",
    ],
)
def test_a_party_size_said_without_a_change_changes_nothing(text: str) -> None:
    assert triage_text(text).requested_action != "change booking"


def test_a_tables_hour_without_am_or_pm_is_the_evenings() -> None:
    assert triage_text("I'd like to book a table at 7 on Saturday for four.").dates == [
        "saturday 19:00"
    ]
    assert triage_text("a table for six on Friday around half seven").dates == ["friday 19:30"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a table for two at 7am on Friday", ["friday 07:00"]),
        ("a breakfast table for two at 8 tomorrow", ["tomorrow 08:00"]),
        ("the boiler service at 8 on Friday", ["friday 08:00"]),
    ],
)
def test_an_hour_of_the_morning_or_of_other_business_is_read_as_before(
    text: str, expected: list[str]
) -> None:
    assert triage_text(text).dates == expected
