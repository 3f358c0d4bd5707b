"""What every reply provider must do."""

from __future__ import annotations

from shared.models import Reply, Transcript
from workers.providers.base import LlmProvider, ReplyContext

MESSAGE = (
    "hi this is anna lee my internet has been down since this morning and i work from "
    "home please call me back at six one seven five five five two two three four"
)


def test_provider_replies_briefly_enough_to_be_spoken(llm: LlmProvider) -> None:
    reply = llm.respond(Transcript(text=MESSAGE, provider="test"), ReplyContext())

    assert isinstance(reply, Reply)
    assert reply.provider == llm.name
    assert 0 < len(reply.text.split()) <= 100


def test_provider_fills_the_triage_with_the_callback_number(llm: LlmProvider) -> None:
    reply = llm.respond(Transcript(text=MESSAGE, provider="test"), ReplyContext())

    assert reply.triage is not None
    assert reply.triage.callback_number == "+16175552234"


def test_provider_still_replies_to_an_empty_transcript(llm: LlmProvider) -> None:
    reply = llm.respond(Transcript(text="", provider="test"), ReplyContext())

    assert reply.text.strip()
