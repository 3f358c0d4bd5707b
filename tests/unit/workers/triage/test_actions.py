"""The requested action: what the caller asks the business to do (workers.triage.actions)."""

from __future__ import annotations

import pytest

from shared.language.tokens import tokenize
from workers.triage.actions import requested_action


def _words(text: str) -> tuple[str, ...]:
    return tokenize(text).low


@pytest.mark.parametrize(
    ("text", "topic", "expected"),
    [
        ("i need to reschedule my appointment", "appointment", "reschedule appointment"),
        ("can you send me the invoice", "billing", "send invoice"),
        ("please cancel my appointment", "cancellation", "cancel appointment"),
        ("the heater is broken please call me back", "repair", "arrange repair"),
        ("my order please call me back", "order_status", "call back"),
        ("where is my order", "order_status", "check order status"),
        (
            "I've got a cleaning on Monday at 10, I need to move it to next Tuesday",
            "appointment",
            "reschedule appointment",
        ),
        (
            "can you move me from monday to wednesday please",
            "appointment",
            "reschedule appointment",
        ),
        (
            "I'm calling to confirm my appointment for tomorrow",
            "appointment",
            "confirm appointment",
        ),
        (
            "Please cancel my appointment on Tuesday. I'll call to reschedule later.",
            "cancellation",
            "cancel appointment",
        ),
        (
            "My appointment is on December 12th at 3:30, do I need to bring anything?",
            "appointment",
            "call back",
        ),
        ("I need to push my appointment back a week", "appointment", "reschedule appointment"),
        (
            "I won't be able to make my appointment tomorrow at 3:30pm. Sorry about that.",
            "cancellation",
            "cancel appointment",
        ),
        (
            "i need to move my friday the twelfth appointment to monday the fifteenth",
            "appointment",
            "reschedule appointment",
        ),
        (
            "i booked an appointment online for wednesday at nine but the email says thursday",
            "appointment",
            "call back",
        ),
        (
            "your van is blocking our gate could the driver move it to the side",
            "complaint",
            "follow up on complaint",
        ),
    ],
)
def test_requested_action_follows_the_request(text: str, topic: str, expected: str) -> None:
    assert requested_action(_words(text), topic, has_number=False) == expected


def test_a_number_alone_asks_for_a_call_back() -> None:
    assert requested_action(_words("hello"), "general", has_number=True) == "call back"
    assert requested_action(_words("hello"), "general", has_number=False) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to change my phone number on file before my appointment on Friday",
        "I need to change my address, I have an appointment next week",
        "can I move my car before my appointment tomorrow, where should I park?",
    ],
)
def test_changing_something_else_before_an_appointment_is_no_reschedule(text: str) -> None:
    assert requested_action(_words(text), "appointment", True) == "call back"


@pytest.mark.parametrize(
    "text",
    [
        "Hi, it's Sam Ortiz, I'm running late for my 3 o'clock, be there in 15 minutes.",
        "Hi, message for Janet. It's Paul, I'm running late, be there by half ten.",
        "I'll be late for the 2pm training session, maybe twenty minutes.",
    ],
)
def test_a_caller_running_late_for_a_booking_asks_for_no_new_one(text: str) -> None:
    assert requested_action(_words(text), "appointment", True) == "running late"


def test_a_payment_that_will_be_late_is_no_late_arrival() -> None:
    words = _words("I'll be late with the rent this month, can you call me")
    assert requested_action(words, "billing", True) != "running late"


def test_the_reply_to_a_caller_running_late_offers_no_booking() -> None:
    reply = _responder_reply("Hi, it's Sam Ortiz, I'm running late for my 3 o'clock. 617-555-0142.")
    assert "book an appointment" not in reply
    assert "Thanks for letting us know you're running late" in reply


def _responder_reply(text: str) -> str:
    from workers.triage import compose_reply, triage_text

    return compose_reply(triage_text(text), "US")


@pytest.mark.parametrize(
    "text",
    [
        "thanks for the quote, could you send it again",
        "Hi, it's Paul, I never got the quote for the boiler, can you re-send it?",
        "I've lost the quote you emailed, could you send me the quote again please",
    ],
)
def test_a_quote_asked_for_again_is_sent_again_not_put_together(text: str) -> None:
    from shared.models import Transcript
    from workers.providers.base import ReplyContext
    from workers.providers.llm.local import TriageResponder

    assert requested_action(_words(text), "sales", False) == "resend quote"
    reply = TriageResponder().respond(Transcript(text=text, provider="x"), ReplyContext())
    assert "We'll send your quote again." in reply.text
    assert "put together a quote" not in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "could you send me a quote for a new boiler",
        "about the extension quote, could you add the skylights and send it again",
    ],
)
def test_a_quote_to_be_made_or_changed_is_put_together(text: str) -> None:
    assert requested_action(_words(text), "sales", False) == "send quote"


@pytest.mark.parametrize(
    "text",
    [
        "hi, can you move the table we booked for the 21st to the 22nd",
        "could we change our reservation to friday please",
        "can we push the booking back to next week",
        "please move our table from seven to eight thirty",
    ],
)
def test_a_booking_named_by_the_or_our_and_moved_is_a_reschedule(text: str) -> None:
    assert requested_action(_words(text), "appointment", True) == "reschedule appointment"


def test_moving_a_table_somewhere_else_is_no_reschedule() -> None:
    said = "we booked for friday, could you move the table nearer the window"
    assert requested_action(_words(said), "appointment", True) == "book appointment"


@pytest.mark.parametrize(
    "text",
    [
        "there's been a gas leak, please take us off tonight's schedule, nobody can go in",
        "can you take us off the schedule for thursday",
        "please take her off the rota for the clean tomorrow",
        "just scrub it off the diary, we won't need the visit",
    ],
)
def test_taking_someone_off_a_schedule_is_a_cancellation_not_a_booking(text: str) -> None:
    assert requested_action(_words(text), "cancellation", True) == "cancel appointment"


def test_a_day_off_then_a_schedule_is_still_a_booking() -> None:
    said = "i have the day off tuesday so schedule me in for a cleaning"
    assert requested_action(_words(said), "appointment", True) == "book appointment"


def test_a_standing_visit_taken_off_the_schedule_cancels_the_service() -> None:
    said = "we've done the quarterly pest control for years, take us off the schedule going forward"
    assert requested_action(_words(said), "cancellation", True) == "cancel service"
