from __future__ import annotations

import re

import pytest

from shared.models import Stage, Transcript, Triage
from workers.providers.base import ReplyContext
from workers.providers.llm.local import TriageResponder
from workers.providers.registry import load_class

ERIC = (
    "hi this is eric johnson call him about my order please call me back up by five five two "
    "one two three four five six thank you"
)
DAVID = (
    "oh my name is david know or the water heater in my apartment is leaking and it is urgent "
    "my number is four one five five five five tier one nine eight"
)
MARIA = (
    "good morning this is maria from the dental office i would like to reschedule my "
    "appointment to stay at three in the afternoon you can reach me a two zero six five five "
    "five seven seven one two"
)
CLOUD = "Hi, this is Sarah. Call me at (415) 555-0198 tomorrow at 3pm about my invoice."


def _responder() -> TriageResponder:
    return TriageResponder()


def _respond(text: str, region: str = "US", prompt: str | None = None) -> str:
    transcript = Transcript(text=text, provider="local")
    context = ReplyContext(system_prompt=prompt, default_region=region)
    return _responder().respond(transcript, context).text


def test_registry_resolves_local_to_the_triage_responder() -> None:
    assert load_class(Stage.LLM, "local") is TriageResponder


def test_reply_carries_provider_triage_and_zero_usage() -> None:
    reply = _responder().respond(Transcript(text=DAVID, provider="local"), ReplyContext())
    assert reply.provider == "local"
    assert reply.triage is not None
    assert reply.triage.urgency == "high"
    assert reply.triage.callback_number == "+14155550198"
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (0, 0)


@pytest.mark.parametrize("text", [ERIC, DAVID, MARIA, CLOUD, ""])
def test_reply_is_at_most_100_words_of_plain_text(text: str) -> None:
    reply = _respond(text)
    assert 0 < len(reply.split()) <= 100
    # Digits only in the callback number, as it is written (the voice is handed it spelled).
    assert not re.search(r"[0-9*#_`]", re.sub(r"\(\d{3}\) \d{3}-\d{4}", "", reply))


def test_same_transcript_gives_the_same_reply() -> None:
    assert _respond(MARIA) == _respond(MARIA)


def test_system_prompt_is_ignored() -> None:
    assert _respond(MARIA, prompt="Answer like a pirate.") == _respond(MARIA)


def test_urgent_leak_reply_addresses_caller_and_reads_number() -> None:
    reply = _respond(DAVID)
    assert reply.startswith("Hello David,")
    assert "urgent" in reply
    assert "(415) 555-0198" in reply


def test_reschedule_reply_mentions_the_time_in_words() -> None:
    reply = _respond(MARIA)
    assert (
        "We've noted that you'd like to reschedule. We've made a note of three in the afternoon."
        in reply
    )


def test_default_region_normalises_the_number() -> None:
    text = "my number is zero two zero seven nine four six zero nine five eight"
    reply = _responder().respond(
        Transcript(text=text, provider="x"), ReplyContext(default_region="GB")
    )
    assert reply.triage is not None
    assert reply.triage.callback_number == "+442079460958"


def test_empty_transcript_gets_a_polite_reply() -> None:
    assert "couldn't make out your message" in _respond("")


def test_the_engines_second_hearing_completes_a_partly_heard_number() -> None:
    text = "Hi, it's Sam about my order. Call me back at 919-582-664. Thanks."
    details = {"callback_rehearing": {"text": "at 919-582-6634.", "start_s": 4.1, "end_s": 9.0}}
    heard_twice = Transcript(text=text, provider="local", details=details)
    reply = _responder().respond(heard_twice, ReplyContext())
    assert reply.triage is not None
    assert reply.triage.callback_number == "+19195826634"
    heard_once = _responder().respond(Transcript(text=text, provider="local"), ReplyContext())
    assert heard_once.triage is not None
    assert heard_once.triage.callback_number is None
    assert heard_once.triage.callback_number_partial == "919582664"


def test_another_engines_hearing_gives_the_number_the_first_heard_only_in_part() -> None:
    text = "Hi, it's Sam about my order. My number is I'm 2, 2, 8, 6, 6, 1, 3."
    details = {"second_engine": {"engine": "moonshine", "text": "My number is 952-208-6613."}}
    heard = Transcript(text=text, provider="local", details=details)
    reply = _responder().respond(heard, ReplyContext())
    assert reply.triage is not None
    assert reply.triage.callback_number == "+19522086613"


def test_another_engines_partial_hearing_may_vouch_for_the_rehearings_number() -> None:
    # The first hearing wrote "double 5" as a 2, so it cannot vouch for the rehearing's number;
    # the other engine's digits, all in the rehearing's number, can.
    text = "Please call them to have you can. 2-1-4-2-5-2-8-0-6"
    rehearing = {"text": "2-1-4, double-5-2, double-8-0-6", "start_s": 13.9, "end_s": 18.9}
    second = {"engine": "moonshine", "text": "Please call them when you can. 214-552-806."}
    alone = Transcript(text=text, provider="local", details={"callback_rehearing": rehearing})
    both = Transcript(
        text=text,
        provider="local",
        details={"callback_rehearing": rehearing, "second_engine": second},
    )
    assert (_responder().respond(alone, ReplyContext()).triage or Triage()).callback_number is None
    reply = _responder().respond(both, ReplyContext())
    assert reply.triage is not None
    assert reply.triage.callback_number == "+12145528806"


def test_a_redacted_transcript_is_answered_with_its_tokens_not_their_labels() -> None:
    text = (
        "Hi, this is [PERSON_NAME:1a2b3c4d] calling about my boiler, it is leaking. "
        "Call me on [PHONE_NUMBER:9f8e7d6c]."
    )
    reply = TriageResponder().respond(Transcript(text=text, provider="text"), ReplyContext())

    assert reply.triage is not None
    assert reply.triage.caller_name == "[PERSON_NAME:1a2b3c4d]"
    assert reply.triage.callback_number == "[PHONE_NUMBER:9f8e7d6c]"
    # Before: "Hello PERSON, … on the number you called from", and a summary saying
    # "callback number not given" beside the token the stage filled in after.
    assert reply.text.startswith("Hello, thanks")
    assert "PERSON" not in reply.text
    assert "on the number you left" in reply.text
    assert "callback [PHONE_NUMBER:9f8e7d6c]" in (reply.triage.summary or "")


@pytest.mark.parametrize(
    ("text", "said", "noted"),
    [
        ("Hi it's Sarah Jones, thanks for fixing the boiler. No need to call back. 617-555-0142.",
         "As you said, there's no need for us to call you back.", "no call back wanted"),
        ("Hi it's Sarah, the invoice came through, don't worry about calling me, 617-555-0142.",
         "As you said, there's no need for us to call you back.", "no call back wanted"),
        ("Hi, the plumber was lovely, no need to ring back.",
         "As you said, there's no need for us to call you back.", "no call back wanted"),
        ("Hi, about the leak, no need to call me back now, it's all sorted. 617-555-0142.",
         "As you said, there's no need for us to call you back.", "no call back wanted"),
        ("Hi this is Tom, I was after a quote for a fence, I'll call again later.",
         "We'll speak to you when you call again.", "will call again"),
    ],
)  # fmt: skip
def test_a_caller_who_asks_for_no_call_back_is_promised_none(
    text: str, said: str, noted: str
) -> None:
    reply = _responder().respond(Transcript(text=text, provider="local"), ReplyContext())
    assert said in reply.text
    assert "we'll call you back" not in reply.text.lower()
    assert reply.triage is not None
    assert noted in reply.triage.summary
    assert reply.triage.requested_action != "call back"


@pytest.mark.parametrize(
    "text",
    [
        "I'll call again later, or you can catch me on 617-555-0142.",
        "Is the catalogue on its way? No need to ring back if it's already posted.",
        "There's no need to call me back today, tomorrow is fine, 617-555-0142.",
        "No need to ring me back tonight, tomorrow morning is fine, 617-555-0142.",
        "There's no need to call me back until the results are in, 617-555-0142.",
        "No need to call back right away, whenever you get a chance, 617-555-0142.",
    ],
)
def test_a_caller_who_still_asks_for_a_call_is_promised_one(text: str) -> None:
    # "we'll": the reply to a declined call says "no need for us to call you back" too
    assert "we'll call you back" in _respond(text).lower()


@pytest.mark.parametrize(
    "text",
    [
        "Hi, it's Amy, confirming my cleaning Thursday at 10. No need to call back if you're "
        "busy. 617-555-0142.",
        "Hi, it's Amy, my appointment is Thursday at 10, only call back if there's a problem. "
        "617-555-0142.",
        "Hi, the forms are in the post. No need to call back unless there's one to sign. "
        "617-555-0142.",
        "Hi it's Joe, please only ring me if the part hasn't come. 617-555-0142.",
    ],
)
def test_a_call_declined_on_a_condition_is_neither_promised_nor_refused(text: str) -> None:
    reply = _responder().respond(Transcript(text=text, provider="local"), ReplyContext())
    assert "We'll call you back at (617) 555-0142 only if we need to." in reply.text
    assert "no need for us to call" not in reply.text
    assert reply.triage is not None
    assert "call back only if needed" in reply.triage.summary
