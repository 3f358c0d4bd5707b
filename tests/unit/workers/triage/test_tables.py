"""A restaurant's bookings (workers.triage.tables): a change of party size, and a table's
hour read as the evening's."""

from __future__ import annotations

import pytest

from shared.models import Transcript, Triage
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder
from workers.triage.extract import triage_text
from workers.triage.reply import compose_reply


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
        # A table that is no booking: furniture delivered or repaired.
        ("the dining table you're delivering on Friday at 9", ["friday 09:00"]),
        ("can you repair our kitchen table on Friday at 8", ["friday 08:00"]),
    ],
)
def test_an_hour_of_the_morning_or_of_other_business_is_read_as_before(
    text: str, expected: list[str]
) -> None:
    assert triage_text(text).dates == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I'd like to book a table for six on Saturday at half seven, 617 883 2204",
        "Any tables free for two at eight tonight? Dan, 617 883 2204.",
        "we want to take him out for dinner tonight, twelve of us, about six, 617 883 2204",
    ],
)
def test_a_table_booked_is_answered_as_a_booking_not_an_appointment(text: str) -> None:
    reply = _reply(text)
    assert "thanks for your message about your booking." in reply
    assert "We'd be glad to book a table for you" in reply
    assert "appointment" not in reply


def test_a_caller_who_says_reservation_hears_their_reservation() -> None:
    reply = compose_reply(
        Triage(intent="appointment", requested_action="confirm appointment"),
        "US",
        table="reservation",
    )
    assert "thanks for your message about your reservation." in reply
    assert "you'd like to confirm your reservation." in reply
    cancel = Triage(intent="appointment", requested_action="cancel appointment")
    assert "cancel your booking." in compose_reply(cancel, "GB", table="booking")


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I'd like to book a boiler service for Tuesday morning, 617 883 2204",
        "I'd love to come in and talk through bouquets and table arrangements, 617 883 2204",
        "I've got a job offer on the table, can I book an appointment for Monday, 617 883 2204",
    ],
)
def test_other_bookings_keep_an_appointments_words(text: str) -> None:
    reply = _reply(text)
    assert "about your appointment." in reply
    assert "We'd be glad to book an appointment for you" in reply
    assert "table" not in reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a table for two friday at 11:30", ["friday 11:30"]),
        ("can we reserve a table for four on saturday at eleven", ["saturday 11:00"]),
        # Said as the night's, it stays the night's.
        ("a table for two friday at 11:30pm", ["friday 23:30"]),
        ("a table for two tonight at 11", ["tonight 23:00"]),
        ("a table for two friday at 11 at night", ["friday 23:00"]),
        ("a table for two friday at 10:30", ["friday 22:30"]),
    ],
)
def test_a_tables_eleven_without_pm_or_night_is_the_mornings(
    text: str, expected: list[str]
) -> None:
    assert triage_text(text).dates == expected
