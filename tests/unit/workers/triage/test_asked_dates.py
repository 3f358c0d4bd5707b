from __future__ import annotations

from shared.models import Transcript
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder


def _reply(text: str) -> str:
    return TriageResponder().respond(Transcript(text=text, provider="local"), ReplyContext()).text


def test_a_repair_wanted_today_is_said_back_as_a_person_would() -> None:
    reply = _reply("The sink is leaking. Please send someone today. 617-555-0142.")
    assert "We understand you'd like someone today." in reply
    assert "mentioned" not in reply


def test_a_day_said_of_the_past_is_neither_offered_nor_said_back_as_a_wish() -> None:
    reply = _reply(
        "Hi, I was in on Tuesday for a cleaning and now my filling's come loose, "
        "could I book in for Friday? 617-555-0142."
    )
    assert "book an appointment for you for Friday." in reply


def test_a_day_of_what_happened_is_not_offered_for_a_booking() -> None:
    reply = _reply("Hi, I came in on Tuesday and I'd like to book another session. 617-555-0142.")
    assert "Tuesday" not in reply.split("We'd be glad to book")[1].split(".")[0]


def test_a_relative_day_of_news_is_noted_without_a_wish_read_into_it() -> None:
    reply = _reply("Hi, just letting you know our office moves next month. 617-555-0142.")
    assert "We've noted what you said about next month." in reply
