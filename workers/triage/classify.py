"""What the call is about, how urgent it is and what the caller wants done.

Keyword scoring over whole tokens. Longer phrases are matched first and use up their
tokens, so "not urgent" is never also counted as "urgent", nor "out of order" as "order".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

from shared.intents import INTENTS as INTENTS
from shared.language.tokens import has_phrase

T = TypeVar("T")
Urgency = Literal["low", "normal", "high"]


def _failures() -> dict[str, int]:
    """A machine failing at its one job, however the caller puts it ("isn't cooling", "won't
    turn on", "stopped draining"): each way of saying "not" with each job, as repair cues.
    A door or lock only by what it will not do ("the office is not open" is no fault)."""
    nots = ("not", "isn't", "is not", "wasn't", "won't", "doesn't", "stopped")
    jobs = ("working", "work", "cooling", "cool", "heating", "heat", "draining", "drain",
            "flushing", "flush", "starting", "start", "turning on", "turn on", "spinning",
            "charging", "running")  # fmt: skip
    stuck = {f"{no} {job}": 2 for no in ("won't", "doesn't") for job in ("open", "close", "lock")}
    return {f"{no} {job}": 2 for no in nots for job in jobs} | stuck


# INTENTS lives in shared.intents (the review inbox offers it too); earlier wins a tie.
_INTENT_WORDS: dict[str, dict[str, int]] = {
    "cancellation": {"cancel": 2, "cancellation": 2, "terminate": 2, "unsubscribe": 2,
                     "close my account": 3, "end my subscription": 3, "stop my service": 3,
                     "won't be needing": 3, "no longer need": 3, "discontinue": 2,
                     "stop the service": 3, "stop my membership": 3,
                     "stop my subscription": 3, "end my membership": 3, "end my contract": 3,
                     "no longer use": 2, "won't need": 2, "cancelled": 2, "canceled": 2,
                     "cancelling": 2, "canceling": 2, "won't be renewing": 3,
                     "not renewing": 3, "not going to renew": 3},
    "repair": {"repair": 2, "leaking": 2, "leak": 2, "broken": 2, "not working": 2,
               "stopped working": 2, "out of order": 2, "fix": 1, "flooding": 2,
               "water heater": 2, "heater": 1, "furnace": 1, "plumber": 1, "pipe": 1,
               "toilet": 1, "no heat": 2, "no hot water": 2, "technician": 1,
               "not draining": 2, "isn't draining": 2, "grinding": 1, "smell of gas": 3,
               "gas leak": 3, "smell gas": 3, "dishwasher": 1, "boiler": 1,
               "washing machine": 1, "send someone": 1, "flooded": 2, "heating": 1,
               "has stopped": 1, "air conditioning": 1, "air conditioner": 1, "fridge": 1,
               "refrigerator": 1, "freezer": 1, "oven": 1, "thermostat": 1, "pump": 1,
               "outlet": 1, "sparks": 2, "power went out": 2, "power is out": 2,
               "overflowing": 2, "flickering": 1, "burning smell": 2}
           | _failures(),
    "billing": {"bill": 2, "billing": 2, "invoice": 2, "charge": 1, "charged": 2,
                "overcharged": 2, "payment": 2, "refund": 2, "receipt": 1, "statement": 1,
                "balance": 1, "credit card": 1, "pay": 1},
    "appointment": {"appointment": 2, "reschedule": 2, "rebook": 2, "schedule": 1, "book": 1,
                    "booking": 1, "dentist": 1, "dental": 1, "checkup": 1, "check up": 1,
                    "consultation": 1, "fit me in": 2, "fit him in": 2, "fit her in": 2,
                    "anything today": 2, "an opening": 1, "toothache": 1, "tooth": 1,
                    "availability": 2, "any openings": 2, "book a table": 2,
                    "reservation": 2, "booked": 1},
    "order_status": {"order": 2, "delivery": 2, "shipment": 2, "tracking": 2, "shipped": 1,
                     "package": 1, "parcel": 1, "arrived": 1, "delivered": 1, "ordered": 2,
                     "dispatched": 2, "where it's got to": 2, "hasn't arrived": 2,
                     "supposed to arrive": 2, "meant to arrive": 2, "should have arrived": 2},
    "complaint": {"complaint": 2, "complain": 2, "not happy": 2, "disappointed": 2, "rude": 2,
                  "unacceptable": 2, "unhappy": 1, "terrible": 1, "frustrated": 1,
                  "angry": 1, "upset": 1, "worst": 1, "nobody helped": 2,
                  "no one helped": 2, "never showed up": 2, "poor service": 2, "waited": 1,
                  "called three times": 2, "called several times": 2, "called twice": 2,
                  "called multiple times": 2, "nobody has gotten back": 2,
                  "no one has gotten back": 2, "nobody got back": 2, "no one got back": 2,
                  "nobody called me back": 2, "no one called me back": 2, "frustrating": 1,
                  "complaining": 2, "not good enough": 2, "make this right": 2,
                  "make it right": 2, "careless": 1},
    "sales": {"quote": 2, "pricing": 2, "interested in": 2, "demo": 2, "price": 1,
              "prices": 1, "purchase": 1, "buy": 1, "estimate": 1, "how much": 1,
              "what it would cost": 2, "financing": 2, "cost": 1, "ad i saw": 2,
              "upgrade": 2, "upgrading": 2, "rates": 1},
    "callback_request": {"call me back": 1, "call back": 1, "return my call": 1,
                         "get back to me": 1, "give me a call": 1, "returning your call": 3,
                         "return your call": 2, "missed your call": 2, "you called me": 2,
                         "ring me back": 1, "give me a ring": 1, "missed a call": 2,
                         "calling you back": 3, "ringing you back": 3, "try me again": 1,
                         "give me a shout": 1, "you left me a message": 2,
                         "you left me a voicemail": 2},
}  # fmt: skip
# Phrases that only mask their words ("in order to" is not about an order).
# The caller calling again later asks nothing of us.
# Nor does one who says not to ("no need to call back": a thank-you, not a request).
# A time that "doesn't work for me" is no broken machine.
_NEUTRAL = ("in order to", "work for me", "work for us", "works for me", "i'll call back",
            "i will call back", "i'll call you back",
            "no need to call back", "no need to call me back", "no need to ring back",
            "no need to ring me back", "no need to get back to me",
            "no need to return my call", "don't need to call me back",
            "don't need to call back")  # fmt: skip
_INTENT_TABLE: dict[str, tuple[str, int]] = {p: ("", 0) for p in _NEUTRAL} | {
    phrase: (intent, weight) for intent, words in _INTENT_WORDS.items()
    for phrase, weight in words.items()
}  # fmt: skip

_LOW = ("not urgent", "isn't urgent", "not that urgent", "not too urgent", "not very urgent",
        "not really urgent", "not super urgent", "nothing urgent", "not an emergency",
        "no emergency", "no rush", "no hurry", "not in a hurry", "not a big deal",
        "whenever", "when you get a chance", "when you have a chance", "when you can",
        "at your convenience", "at your earliest convenience", "not time sensitive",
        "no need to call back", "no need to ring back", "no need to call me back",
        "just to say thank you",
        "just letting you know", "just wanted to let you know")  # fmt: skip
_HIGH = ("urgent", "urgently", "emergency", "asap", "as soon as possible", "as soon as you can",
         "immediately", "right away", "right now", "straight away", "leaking", "leak",
         "flooding", "flooded", "no heat", "no hot water", "no power", "burst", "gas leak",
         "smell gas", "smell of gas", "smoke", "fire", "dangerous", "send someone now",
         "in a lot of pain", "in pain", "it's important", "speak to someone today",
         # Someone wanted the same day, however calmly asked.
         "someone out today", "someone out here today", "someone today", "somebody today",
         "today if possible", "today if you can", "as fast as you can", "overflowing",
         "sparks", "power went out",
         # A charge the caller did not make: a card in someone else's hands.
         "never bought", "never ordered", "didn't authorize", "didn't authorise",
         "don't recognize", "don't recognise", "didn't recognize", "didn't recognise",
         "unauthorized", "unauthorised", "fraud", "fraudulent", "stolen")  # fmt: skip
_LOW_LEVEL: Urgency = "low"
_HIGH_LEVEL: Urgency = "high"
_URGENCY_TABLE = dict.fromkeys(_LOW, _LOW_LEVEL) | dict.fromkeys(_HIGH, _HIGH_LEVEL)
_NEGATIONS = {"not", "no", "isn't", "nothing", "never", "don't", "doesn't", "wasn't"}
# "Call me before eight tonight": a deadline later the same day is urgent however calmly said.
_SAME_DAY = {"tonight", "today", "noon", "midday", "lunchtime"}
_PART_OF_DAY = {"morning", "afternoon", "evening"}
_WITHIN_DAYS = ("this week", "by tomorrow", "in the next few days", "in the next day or two",
                "in a day or two", "by the end of the week", "before the weekend")  # fmt: skip

# (any of these, and any of those or nothing, -> action); first matching rule wins.
_ACTION_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("reschedule", "rebook", "move my appointment", "change my appointment"), (),
     "reschedule appointment"),
    (("cancel",), ("appointment",), "cancel appointment"),
    (("cancel",), ("order",), "cancel order"),
    (("cancel", "cancellation", "terminate", "unsubscribe", "close my account"), (),
     "cancel service"),
    (("book", "schedule", "make an appointment", "set up an appointment"), (),
     "book appointment"),
    (("invoice",), (), "send invoice"),
    (("refund",), (), "issue refund"),
    (("receipt",), (), "send receipt"),
    (("quote", "estimate", "pricing"), (), "send quote"),
)  # fmt: skip
_CALLBACK = ("call me back", "call back", "return my call", "get back to me", "give me a call")
_INTENT_ACTIONS = {"repair": "arrange repair", "order_status": "check order status",
                   "billing": "review bill", "complaint": "follow up on complaint",
                   "sales": "send information", "appointment": "book appointment"}  # fmt: skip


def scan(words: Sequence[str], table: Mapping[str, T]) -> list[tuple[int, int, T]]:
    """Non-overlapping phrase hits as (start, end, value), longest phrases claimed first."""
    # Each phrase is tried only where its first word occurs: every reply stage scans three
    # tables of ~100 phrases, and comparing each phrase at every position was a fifth of the
    # stage's own CPU with instant providers (`make bench ONLY=pipeline`).
    where: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        where.setdefault(word, []).append(i)
    used = [False] * len(words)
    hits: list[tuple[int, int, T]] = []
    for target, value in _longest_first(table):
        size = len(target)
        for i in where.get(target[0], ()):
            if i + size > len(words):
                break
            if tuple(words[i : i + size]) == target and not any(used[i : i + size]):
                used[i : i + size] = [True] * size
                hits.append((i, i + size, value))
    return sorted(hits, key=lambda hit: hit[0])


_ordered: dict[int, tuple[Mapping[str, Any], list[tuple[tuple[str, ...], Any]]]] = {}


def _longest_first(table: Mapping[str, T]) -> list[tuple[tuple[str, ...], T]]:
    """The table's phrases as word tuples, longest first then alphabetical: the order in
    which they claim words. Made once per table (they are module constants)."""
    found = _ordered.get(id(table))
    if found is None or found[0] is not table:
        if len(_ordered) > 64:  # a caller building tables on the fly must not grow this
            _ordered.clear()
        phrases = sorted(table, key=lambda p: (-len(p.split()), p))
        ordered = [(tuple(p.split()), table[p]) for p in phrases if p.split()]
        found = _ordered[id(table)] = (table, ordered)
    return found[1]


# The single words the intent table knows: a plural of one counts as the word ("three
# charges", "copies of my invoices", "the deliveries"), as callers say either.
_INTENT_WORDS_ALONE = frozenset(p for p in _INTENT_TABLE if " " not in p)


def _singular(word: str) -> str:
    """``word`` as the intent table knows it, where it is the plural of one of its words."""
    if word in _INTENT_WORDS_ALONE or not word.endswith("s") or word.endswith("ss"):
        return word
    forms = ([word[:-3] + "y"] if word.endswith("ies") else []) + [word[:-2], word[:-1]]
    return next((form for form in forms if form in _INTENT_WORDS_ALONE), word)


def intent(words: Sequence[str]) -> str:
    scores = dict.fromkeys(INTENTS, 0)
    for _, _, (name, weight) in scan([_singular(w) for w in words], _INTENT_TABLE):
        if name:
            scores[name] += weight
    best = max(scores.values())
    return next(name for name in INTENTS if scores[name] == best) if best else "general"


def urgency(words: Sequence[str]) -> Urgency:
    """High beats low (a leak outweighs "no rush"); a negated high cue counts for neither."""
    levels: set[Urgency] = set()
    for start, end, level in scan(words, _URGENCY_TABLE):
        if level == "high" and _NEGATIONS & set(words[max(0, start - 2) : start]):
            continue
        if _says_where_the_caller_is(words, start, end):
            continue
        levels.add(level)
    if _same_day_deadline(words):
        levels.add("high")
    if levels == {"low"} and any(has_phrase(words, p) for p in _WITHIN_DAYS):
        # "It's not an emergency, but I'd like a technician this week": not urgent, and not
        # whenever either; a request due within days is the ordinary queue. ("Call me
        # tomorrow at 3, no rush" sets a time for the call, not a deadline: still low.)
        return "normal"
    return "high" if "high" in levels else "low" if "low" in levels else "normal"


def _says_where_the_caller_is(words: Sequence[str], start: int, end: int) -> bool:
    """ "I'm driving right now", "I'm at work right now": the caller's own moment, no
    deadline for us (against "I need someone right now")."""
    return tuple(words[start:end]) == ("right", "now") and bool(
        {"i'm", "am"} & set(words[max(0, start - 3) : start])
    )


def _same_day_deadline(words: Sequence[str]) -> bool:
    for i, word in enumerate(words):
        if word != "before":
            continue
        after = set(words[i + 1 : i + 4])
        if after & _SAME_DAY or ("this" in after and after & _PART_OF_DAY):
            return True
    return False


def requested_action(words: Sequence[str], intent_name: str, has_number: bool) -> str | None:
    for any_of, with_any, action in _ACTION_RULES:
        if any(has_phrase(words, p) for p in any_of) and (
            not with_any or any(has_phrase(words, p) for p in with_any)
        ):
            return action
    # A fault needs someone sent out whatever else was asked; other topics are settled
    # on the call the caller asked for.
    if intent_name == "repair":
        return _INTENT_ACTIONS[intent_name]
    if any(has_phrase(words, p) for p in _CALLBACK):
        return "call back"
    if intent_name in _INTENT_ACTIONS:
        return _INTENT_ACTIONS[intent_name]
    return "call back" if has_number else None
