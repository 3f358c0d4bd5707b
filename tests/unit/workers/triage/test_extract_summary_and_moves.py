"""The summary line as a person reads it, and a booking moved with "instead"."""

from __future__ import annotations

import pytest

from workers.triage.extract import triage_text


def test_the_summary_shows_a_day_and_its_time_as_a_person_writes_them() -> None:
    text = "Karen. I've a cleaning on Monday at 10, can we move it to December 12th at 3:30?"
    summary = triage_text(text, "US").summary
    assert "mentioning Monday at 10:00, December 12 at 15:30;" in summary


def test_the_summary_writes_the_callback_number_as_the_reply_does() -> None:
    at_home = triage_text("Hi it's Sarah Jones, please call me back at 617-555-0142.", "US")
    abroad = triage_text("Hi it's Sarah Jones, call me back on +44 20 7946 0958.", "US")
    assert at_home.summary.endswith("callback (617) 555-0142.")
    assert abroad.summary.endswith("callback +44 20 7946 0958.")


@pytest.mark.parametrize(
    "text",
    [
        "Hi it's Tom Baker, about my appointment, can I come at 1:30 instead of 11:30 on Thursday?",
        "Hi it's Tom, about my appointment Thursday, can we make it half three instead?",
        "We've got the cake consultation on Wednesday at four, could we come at five instead?",
    ],
)
def test_a_booking_moved_to_another_time_with_instead_is_a_reschedule(text: str) -> None:
    assert triage_text(text, "GB").requested_action == "reschedule appointment"


@pytest.mark.parametrize(
    "text",
    [
        "About my appointment: I was charged £640 instead of £64, please call me back.",
        "I had an appointment booked but we'll go elsewhere instead, please call me back.",
        "Can I book an appointment for six of us instead of four, please call me back?",
    ],
)
def test_instead_without_a_time_on_each_side_moves_no_booking(text: str) -> None:
    assert triage_text(text, "GB").requested_action != "reschedule appointment"
