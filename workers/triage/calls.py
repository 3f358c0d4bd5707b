"""Whether the caller wants a call back at all: the reply must not promise one to a caller
who said there is no need ("no need to ring back", "don't worry about calling me") or that
they will ring again themselves ("I'll call again later")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from workers.triage.classify import scan
from workers.triage.intent_words import DECLINED_CALL

NoCall = Literal["declined", "calls again"]

_DECLINED = (*DECLINED_CALL, "don't worry about calling me", "don't worry about calling back",
             "don't worry about calling me back", "don't worry about ringing me",
             "don't worry about getting back to me", "no need to phone back",
             "no need to phone me back", "no need to call me", "no need to ring me",
             "you needn't ring me", "you needn't call me", "you don't have to ring me",
             "you don't have to call me", "you don't need to ring me",
             "you don't need to call me", "don't need a call back", "no call back needed",
             "no need for a call back")  # fmt: skip
_CALLS_AGAIN = ("i'll call again", "i will call again", "i'll ring again", "i will ring again",
                "i'll try again later", "i'll try you again", "i'll call back later",
                "i'll ring back later", "i'll phone again", "i'll give you a call later",
                "i'll call you again")  # fmt: skip
# A request for a call anywhere else in the message wins: "I'll call again later, or ring
# me on 07700 900 418" still asks for one. Longer phrases claim their words first (scan),
# so the "call me back" inside "no need to call me back" is no request.
_ASKS = ("call me", "ring me", "reach me", "call back", "give me a call", "give me a ring",
         "get back to me", "return my call", "text me", "hear from you", "hear back",
         "catch me")  # fmt: skip
_TABLE: dict[str, str] = (
    {p: "asks" for p in _ASKS}
    | {p: "calls again" for p in _CALLS_AGAIN}
    | {p: "declined" for p in _DECLINED}
)
# A call declined only for now or on a condition is still wanted: "no need to ring back if
# it's already posted", "no need to call me back today, tomorrow is fine", "... until the
# results are in", "... right away, whenever you get a chance".
# ("No need to call back unless there's a form to sign" leaves the call to us, and "no need
# to call me back now, it's all sorted" says no more is needed: both declined.)
_FOR_NOW = {"if", "until", "till", "today", "tonight", "yet", "right", "straight",
            "immediately", "before"}  # fmt: skip


def no_call_wanted(words: Sequence[str]) -> NoCall | None:
    """ "declined" where the caller says we need not call, "calls again" where they will
    call us, None where a call is asked for or nothing is said of one."""
    found = {
        "asks" if kind == "declined" and words[end : end + 1] and words[end] in _FOR_NOW else kind
        for _, end, kind in scan(words, _TABLE)
    }
    if "asks" in found:
        return None
    if "declined" in found:
        return "declined"
    return "calls again" if "calls again" in found else None
