"""Everything the triage records about one message, assembled from the extractors."""

from __future__ import annotations

from shared.language.dates import find_dates
from shared.language.name_hearings import choose_caller_name
from shared.language.names import caller_name
from shared.language.phone import CallbackNumber, find_callback, phone_runs
from shared.language.rehearing import from_rehearing, from_second_engine, from_two_partials
from shared.language.tokens import Tokens, tokenize
from shared.models import Triage
from workers.triage.classify import NO_TOPIC, Urgency, intent, requested_action, urgency

TOPICS = {
    "appointment": "an appointment",
    "billing": "a billing question",
    "order_status": "an order",
    "repair": "a repair",
    "complaint": "a complaint",
    "sales": "a sales enquiry",
    "cancellation": "a cancellation",
    "callback_request": "a callback request",
    "general": "a general matter",
}


def summarize(triage: Triage) -> str:
    """One sentence a person can scan in a call list."""
    who = triage.caller_name or "A caller"
    kind = "an urgent message" if triage.urgency == "high" else "a message"
    if triage.urgency == "low":
        kind = "a non-urgent message"
    parts = [f"{who} left {kind} about {TOPICS.get(triage.intent, 'a general matter')}"]
    if triage.dates:
        parts.append(f"mentioning {', '.join(triage.dates)}")
    if triage.requested_action:
        parts.append(f"action: {triage.requested_action}")
    if triage.callback_number:
        parts.append(f"callback {triage.callback_number}")
    elif triage.callback_number_partial:
        parts.append(f"callback number incomplete ({triage.callback_number_partial})")
    else:
        parts.append("callback number not given")
    return "; ".join(parts) + "."


_LEVELS: tuple[Urgency, ...] = ("low", "normal", "high")


def _read_otherwise(others: Tokens, level: Urgency) -> tuple[str, Urgency]:
    """The topic another engine's words name where the first engine's named none (or only
    asked for a call back), and the more urgent of the two hearings' urgencies.

    Keyword rules find no topic in words too misheard to hold one: on the voicemail set,
    Whisper's "I'm really never pointed" and "a strong male of gas" against Moonshine's "I'm
    really disappointed" (a complaint) and "strong smell of gas ... please send someone out"
    (a repair, urgent). A topic neither names stays undecided (and goes to review). The more
    urgent reading is kept since either engine may have missed the words that made it urgent
    ("we need someone out today", heard by Whisper alone on one voicemail of the unseen
    set)."""
    other_level = urgency(others.low)
    return intent(others.low), max(level, other_level, key=_LEVELS.index)


def _callback(
    first: CallbackNumber,
    again: CallbackNumber | None,
    other: CallbackNumber | None,
    region: str,
) -> CallbackNumber:
    """The callback number from the first hearing, the engine's rehearing of its stretch
    (``again``) and another engine's hearing (``other``), each parsed once."""
    callback = first
    if again is not None:
        callback = from_rehearing(callback, again) or callback
    if other is not None:
        callback = from_second_engine(callback, other) or callback
        if again is not None and callback.e164 is None and other.partial:
            # The other engine's partial hearing may vouch for the rehearing's number where
            # the first hearing cannot (it heard "double 5" as a 2: vm10 on the voicemail
            # set, where Moonshine's "214-552-806" holds the rehearing's 214 552 8806).
            callback = from_rehearing(other, again) or callback
        callback = from_two_partials(callback, other, region) or callback
    if again is not None:
        # The engine's own second hearing, partial too, may hold the digits the first
        # missed, and the first those it missed (w68 of the spoken unseen set: "4259-02147"
        # and "5, 9, 0, 2, 1, 1, 4, 7" make 425 902 1147): the same rule as two engines'.
        callback = from_two_partials(callback, again, region) or callback
    return callback


def triage_text(
    text: str,
    region: str = "US",
    rehearing: str | None = None,
    second_engine: str | None = None,
) -> Triage:
    """Triage a transcript; ``region`` is the country assumed for numbers without one.
    ``rehearing`` is the engine's second hearing of a number it first heard only in part,
    ``second_engine`` another engine's hearing of the recording (see
    shared.language.rehearing)."""
    tokens = tokenize(text)
    others = tokenize(second_engine) if second_engine else None
    again = find_callback(tokenize(rehearing), region) if rehearing else None
    other = find_callback(others, region) if others is not None else None
    callback = _callback(find_callback(tokens, region), again, other, region)
    number = callback.e164
    # Spoken phone digits ("at five five five ...") must not read as clock times.
    skip = [range(run.start, run.end) for run in phone_runs(tokens)]
    topic, level = intent(tokens.low), urgency(tokens.low)
    if topic in NO_TOPIC and others is not None:
        other_topic, level = _read_otherwise(others, level)
        if topic == "general" or other_topic not in NO_TOPIC:
            topic = other_topic
    heard_otherwise = caller_name(others) if others is not None else None
    triage = Triage(
        caller_name=choose_caller_name(caller_name(tokens), heard_otherwise),
        callback_number=number,
        callback_number_partial=callback.partial,
        dates=find_dates(tokens, skip),
        intent=topic,
        urgency=level,
        requested_action=requested_action(tokens.low, topic, number is not None),
    )
    triage.summary = summarize(triage)
    return triage
