from __future__ import annotations

import re

import pytest

from shared.models import Triage
from workers.triage.reply import compose_reply, speak_clock, speak_date


def _triage(**fields: object) -> Triage:
    return Triage.model_validate(fields)


def test_reply_greets_caller_by_first_name() -> None:
    reply = compose_reply(_triage(caller_name="Eric Johnson", intent="order_status"), "US")
    assert reply.startswith("Hello Eric, thanks for your message about your order.")


def test_reply_without_a_name_greets_plainly() -> None:
    assert compose_reply(_triage(), "US").startswith("Hello, thanks for your message.")


def test_the_reply_text_keeps_the_callback_number_in_digits_as_written() -> None:
    # It was spelled for the voice ("four one five, ..."), and the inbox and the CSV export
    # showed that; the tts stage spells it for the voice (workers.tts).
    reply = compose_reply(_triage(callback_number="+14155550198"), "US")
    assert "at (415) 555-0198." in reply
    abroad = compose_reply(_triage(callback_number="+442079460958"), "US")
    assert "at +44 20 7946 0958." in abroad


def test_reply_contains_no_digits_or_markdown() -> None:
    triage = _triage(
        caller_name="Maria",
        callback_number="+12065557712",
        dates=["tuesday 15:00", "march 5"],
        intent="appointment",
        requested_action="reschedule appointment",
    )
    reply = compose_reply(triage, "US")
    # Only the callback number is in digits: the voice is handed it spelled.
    assert not re.search(r"[0-9*#_`\[\]]", reply.replace("(206) 555-7712", ""))
    assert "We've made a note of Tuesday at three in the afternoon or March fifth." in reply


@pytest.mark.parametrize(
    "dates",
    [["december 12 15:30"], ["wednesday 16:00", "thursday 16:00"]],
)
def test_a_reschedule_reply_does_not_name_a_mentioned_time_as_the_new_one(
    dates: list[str],
) -> None:
    # "Please cancel my appointment for December 12th at 3:30, I'll call back to rebook"
    # was answered "you'd like to reschedule for December twelfth at three thirty".
    triage = _triage(dates=dates, intent="appointment", requested_action="reschedule appointment")
    reply = compose_reply(triage, "US")
    assert "We've noted that you'd like to reschedule." in reply
    assert "reschedule for" not in reply
    assert "We've made a note of" in reply


def test_a_caller_confirming_an_appointment_is_not_offered_a_booking() -> None:
    triage = _triage(
        dates=["tomorrow 15:45"], intent="appointment", requested_action="confirm appointment"
    )
    reply = compose_reply(triage, "US")
    assert "We've noted that you'd like to confirm your appointment." in reply
    assert "book" not in reply


@pytest.mark.parametrize(
    ("dates", "sentence"),
    [
        (["tuesday 15:00"], "We've made a note of Tuesday at three in the afternoon."),
        (["march 5"], "We've made a note of March fifth."),
        (["today"], "We've noted what you said about today."),
        (["next week"], "We've noted what you said about next week."),
        (["friday", "tomorrow morning"], "We've made a note of Friday or tomorrow morning."),
    ],
)
def test_a_day_named_relative_to_the_call_is_said_back_as_a_person_would(
    dates: list[str], sentence: str
) -> None:
    reply = compose_reply(_triage(dates=dates, intent="repair", urgency="high"), "US")
    assert sentence in reply
    assert "note of today" not in reply


def test_urgent_reply_promises_a_call_as_soon_as_possible() -> None:
    reply = compose_reply(_triage(urgency="high", callback_number="+14155550198"), "US")
    assert "We understand this is urgent, so we'll call you back as soon as possible" in reply


def test_reply_without_a_number_uses_the_number_called_from() -> None:
    assert "on the number you called from." in compose_reply(_triage(), "US")


def test_reply_is_at_most_100_words() -> None:
    triage = _triage(
        caller_name="Maximilian Featherstonehaugh",
        callback_number="+" + "4" * 15,
        dates=["next wednesday 15:45", "september 23 09:05", "tomorrow evening"],
        intent="complaint",
        urgency="high",
        requested_action="follow up on complaint",
    )
    assert len(compose_reply(triage, "US").split()) <= 100


def test_reply_is_deterministic() -> None:
    triage = _triage(caller_name="David", intent="repair", urgency="high")
    assert compose_reply(triage, "US") == compose_reply(triage.model_copy(), "US")


@pytest.mark.parametrize(
    ("clock", "spoken"),
    [
        ("15:00", "three in the afternoon"),
        ("09:05", "nine oh five in the morning"),
        ("10:30", "ten thirty in the morning"),
        ("12:00", "noon"),
        ("20:15", "eight fifteen in the evening"),
    ],
)
def test_clock_times_are_spoken_in_words(clock: str, spoken: str) -> None:
    assert speak_clock(clock) == spoken


def test_part_of_day_is_not_said_twice() -> None:
    assert speak_date("tonight 20:00") == "tonight at eight"


def test_a_day_of_the_month_alone_is_said_as_an_ordinal() -> None:
    assert (
        speak_date("thursday the 18th 14:45")
        == "Thursday the eighteenth at two forty five in the afternoon"
    )


@pytest.mark.parametrize(
    ("date", "said"),
    [
        ("after 14:00", "after two in the afternoon"),
        ("between 09:00 and 11:00", "between nine and eleven in the morning"),
        (
            "tomorrow between 11:00 and 13:00",
            "tomorrow between eleven in the morning and one in the afternoon",
        ),
        ("tonight before 20:00", "tonight before eight"),
    ],
)
def test_a_bound_is_said_as_a_bound(date: str, said: str) -> None:
    assert speak_date(date) == said


def test_a_booking_asked_for_any_time_after_two_is_not_offered_at_two() -> None:
    triage = _triage(
        dates=["after 14:00"], intent="appointment", requested_action="book appointment"
    )
    assert "book an appointment for you for after two in the afternoon." in compose_reply(
        triage, "US"
    )


def test_a_relative_day_phrase_is_noted_as_what_the_caller_said() -> None:
    triage = _triage(dates=["end of the week"], intent="appointment", requested_action="call back")
    assert "We've noted what you said about end of the week." in compose_reply(triage, "US")


def test_a_move_from_one_time_to_another_is_said_as_one() -> None:
    said = speak_date("wednesday 16:00 to thursday 16:00")
    assert said == "Wednesday at four in the afternoon to Thursday at four in the afternoon"


@pytest.mark.parametrize("said", ["last tuesday", "tuesday (past)", "monday last week"])
def test_a_day_gone_by_is_never_offered_as_a_booking(said: str) -> None:
    triage = Triage(intent="appointment", requested_action="book appointment", dates=[said])
    reply = compose_reply(triage, "US")
    assert "Tuesday" not in reply
    assert "Monday" not in reply
    assert "We'd be glad to book an appointment for you." in reply


@pytest.mark.parametrize(
    ("dates", "action", "expected"),
    [
        (["in two weeks"], "arrange repair", "We've noted what you said about two weeks from now."),
        (["in two weeks"], "send invoice", "We've noted what you said about two weeks from now."),
        (
            ["today", "in a week or two"],
            "arrange repair",
            "We've noted what you said about today and a week or two from now.",
        ),
        (["friday", "in two weeks"], None, "We've made a note of Friday or two weeks from now."),
    ],
)
def test_a_day_counted_from_the_call_is_noted_in_words_that_read(
    dates: list[str], action: str | None, expected: str
) -> None:
    # Before: "We've noted what you said about in two weeks."
    reply = compose_reply(_triage(dates=dates, requested_action=action), "US")
    assert expected in reply
    assert "about in " not in reply
    assert "of in " not in reply
