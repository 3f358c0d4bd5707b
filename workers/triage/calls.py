"""Whether the caller wants a call back at all: the reply must not promise one to a caller
who said there is no need ("no need to ring back", "don't worry about calling me"), that they
will ring again themselves ("I'll call again later"), that they only rang to say thank you,
dialled the wrong number, want to be off the mailing list or want an email, not a call, nor
to a seller pitching to the business."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from shared.language.tokens import has_phrase
from workers.triage.classify import asks_nothing, scan
from workers.triage.intent_words import DECLINED_CALL

NoCall = Literal["declined", "calls again", "thanks", "wrong number", "pitch", "announcement",
                 "mailing list", "email", "if needed"]  # fmt: skip

_DECLINED = (*DECLINED_CALL, "don't worry about calling me", "don't worry about calling back",
             "don't worry about calling me back", "don't worry about ringing me",
             "don't worry about getting back to me", "no need to phone back",
             "no need to phone me back", "no need to call me", "no need to ring me",
             "you needn't ring me", "you needn't call me", "you don't have to ring me",
             "you don't have to call me", "you don't need to ring me",
             "you don't need to call me", "don't need a call back", "no call back needed",
             "no need for a call back")  # fmt: skip
# Declined in so many words with no one named: "No need to call." Not "no need to call the
# plumber" nor "... call 911" (_CALLED_OTHERWISE): a call to someone else.
_BARE_DECLINED = ("no need to call", "no need to ring", "no need to phone")
_CALLED_OTHERWISE = {"the", "a", "an", "him", "her", "them", "anyone", "anybody", "someone",
                     "somebody", "everyone", "everybody", "out", "round", "over", "in", "911",
                     "999", "112", "police", "ambulance", "emergency", "it", "my", "our", "your",
                     "his", "their"}  # fmt: skip
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
# The caller dialled us by mistake ("sorry, I've got the wrong number"); not "you've got the
# wrong number for me on file", which asks for a change.
_WRONG_NUMBER = ("i've got the wrong number", "i have the wrong number", "ive got the wrong number",
                 "i got the wrong number",
                 "must have the wrong number", "sorry wrong number", "wrong number sorry",
                 "dialled the wrong number", "dialed the wrong number", "rang the wrong number",
                 "called the wrong number", "misdialled", "misdialed")  # fmt: skip
_MAILING_LIST = ("remove me from your mailing list", "take me off your mailing list",
                 "off your mailing list", "from your mailing list", "off your mailing lists",
                 "off your marketing list", "from your marketing list",
                 "unsubscribe me")  # fmt: skip
# A call is the one thing not wanted: "don't call me on this number, email me instead". Their
# "call me" is claimed here first, so it asks for nothing.
# Only where the message says "email" ("don't call me on this number, ring my mobile" asks
# for a call elsewhere).
_EMAIL = ("email me instead", "e-mail me instead", "don't call me on this number",
          "don't ring me on this number", "rather you emailed me",
          "prefer an email", "prefer email", "by email instead", "email is better",
          "email would be better", "reply by email", "just email me")  # fmt: skip
# Thanks with nothing asked: "thank you for the quick delivery, the sofa's lovely". Not with a
# turn to a request ("thanks for coming out, but it's leaking again").
_THANKS = ("just wanted to say thank you", "just wanted to say thanks", "just to say thank you",
           "just to say thanks", "calling to say thank you", "calling to say thanks",
           "ringing to say thank you", "ringing to say thanks", "wanted to say a big thank you",
           "thank you for the", "thank you so much for", "thanks so much for",
           "thanks for the", "a huge thank you", "a big thank you", "thanks for sorting",
           "thank you for sorting", "thanks for fixing", "thank you for fixing",
           "thanks for coming out", "thank you for coming out")  # fmt: skip
_TURNS = {"but", "however", "although", "though", "except", "unfortunately", "still", "again",
          "problem", "issue", "question", "wondering", "could", "can", "would", "need"}  # fmt: skip
# A call wanted only on a condition: "only call back if there's a problem". Neither promised
# nor refused: the reply says we will call if we need to.
_ONLY_IF = ("only call back if", "only call me if", "only call me back if", "only call if",
            "only ring me if", "only ring back if", "only ring if", "only ring me back if",
            "call me only if", "call me back only if", "call back only if", "ring me only if",
            "only get back to me if", "only need to call me if", "only need to call if",
            "only need to ring me if", "only call us if", "only call us back if")  # fmt: skip
_TABLE: dict[str, str] = (
    {p: "asks" for p in _ASKS}
    | {p: "if needed" for p in _ONLY_IF}
    | {p: "calls again" for p in _CALLS_AGAIN}
    | {p: "declined" for p in _DECLINED}
    | {p: "declined bare" for p in _BARE_DECLINED}
    | {p: "wrong number" for p in _WRONG_NUMBER}
    | {p: "mailing list" for p in _MAILING_LIST}
    | {p: "email" for p in _EMAIL}
    | {p: "thanks" for p in _THANKS}
)
# Told nothing will be done (workers.triage.extract drops the requested action).
NOTHING_TO_DO: tuple[NoCall, ...] = ("thanks", "wrong number", "pitch", "announcement",
                                     "mailing list")  # fmt: skip
# Of classify.asks_nothing's phrases, those of a recording (news, not a seller).
_RECORDED = ("this is an automated message", "automated message from")
# A call declined only for now is still wanted: "no need to call me back today, tomorrow is
# fine", "... until the results are in", "... right away, whenever you get a chance". ("No
# need to call me back now, it's all sorted" says no more is needed: declined.)
_FOR_NOW = {"until", "till", "today", "tonight", "yet", "right", "straight", "immediately",
            "before"}  # fmt: skip
# A call declined on a condition is left to us: "no need to ring back if it's already
# posted", "no need to call back unless there's a form to sign" ("if needed").
_ON_A_CONDITION = {"if", "unless"}


def no_call_wanted(words: Sequence[str]) -> NoCall | None:
    """Why no call back is promised: "declined" where the caller says we need not call,
    "calls again" where they will call us, "email" where they want an email instead, "wrong
    number", "mailing list" (take them off it), "thanks" (a thank-you asking nothing),
    "pitch" (a seller, classify.asks_nothing), "announcement" (a recording); None where a
    call is asked for or nothing is said of one; "if needed" where a call is wanted only on a
    condition ("only call back if there's a problem", "no need to ring back if ...")."""
    found = {_as_meant(words, end, kind) for _, end, kind in scan(words, _TABLE)}
    if asks_nothing(words):
        recorded = any(has_phrase(words, p) for p in _RECORDED)
        return "announcement" if recorded else "pitch"
    if "wrong number" in found:
        return "wrong number"
    if "email" in found and {"email", "e-mail", "emailed"} & set(words):
        return "email"
    if "asks" in found:
        return None
    if "if needed" in found:
        return "if needed"
    if "mailing list" in found:
        return "mailing list"
    if "declined" in found:
        return "declined"
    if "calls again" in found:
        return "calls again"
    if "thanks" in found and not _TURNS & set(words):
        return "thanks"
    return None


def _as_meant(words: Sequence[str], end: int, kind: str) -> str:
    """A declined call as the words after it leave it: for now, or on a condition."""
    if kind == "declined bare":
        if end < len(words) and (words[end] in _CALLED_OTHERWISE or words[end][:1].isdigit()):
            return "other"  # "no need to call the council", "... call 999"
        kind = "declined"
    after = words[end] if kind == "declined" and end < len(words) else ""
    if after in _FOR_NOW:
        return "asks"
    return "if needed" if after in _ON_A_CONDITION else kind


def asks_for_a_call(words: Sequence[str]) -> bool:
    """Whether the caller asks for a call anywhere ("could she call me back"), as
    ``no_call_wanted`` reads a request."""
    return any(kind == "asks" for _, _, kind in scan(words, _TABLE))
