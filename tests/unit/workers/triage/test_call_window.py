"""A caller who says when not to ring ("not before 6pm", "don't call me until 5") gives the
time they are free from: no deadline, and the reply promises the call for then."""

from __future__ import annotations

import pytest

from shared.language.dates import find_dates
from shared.language.tokens import tokenize
from shared.models import Transcript
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder


def _reply(text: str) -> tuple[str, str, list[str]]:
    reply = TriageResponder().respond(
        Transcript(text=text, provider="x"), ReplyContext(default_region="US")
    )
    return reply.text, reply.triage.urgency, reply.triage.dates


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("Hi this is Tom, call me back on 617 482 3391 but not before 6pm as I'm at work",
         "after six in the evening"),
        ("Tom here, call me back, not until 4 though, 617 482 3391", "after four in the afternoon"),
        ("Tom here, please don't call me before 5, I'm at work, 617 482 3391",
         "after five in the afternoon"),
    ],
)  # fmt: skip
def test_a_call_wanted_not_before_a_time_is_promised_for_after_it(text: str, window: str) -> None:
    reply, level, _ = _reply(text)
    assert f"call you back {window} at (617) 482-3391" in reply
    assert "as soon as possible" not in reply
    assert level != "high"


@pytest.mark.parametrize(
    ("said", "found"),
    [
        ("not before 6pm", ["after 18:00"]),
        ("not until four", ["after 16:00"]),
        ("please don't ring me before 5", ["after 17:00"]),
        ("call me before 5", ["before 17:00"]),
        ("call me before noon but not after 3", ["before 12:00", "after 15:00"]),
    ],
)
def test_a_negated_bound_is_the_start_of_the_callers_window(said: str, found: list[str]) -> None:
    assert find_dates(tokenize(said)) == found


def test_a_call_wanted_tonight_but_not_before_six_is_promised_for_then() -> None:
    # A call wanted the same day stays urgent (as the corpora label it), but not "as soon as
    # possible": the caller is busy until six.
    reply, _, _ = _reply("Tom here, ring me back but not before six tonight, 617 482 3391")
    assert "call you back tonight after six at (617) 482-3391" in reply
    assert "as soon as possible" not in reply


def test_not_before_lunchtime_is_no_deadline() -> None:
    reply, level, _ = _reply("call me back on 617 482 3391, not before lunchtime though")
    assert level != "high"
    assert "as soon as possible" not in reply
