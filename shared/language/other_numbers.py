"""Digits in a message that are not a number to call back: an order's, a part's or an
account's (named by a label), one the caller says not to use, an amount of money."""

from __future__ import annotations

from itertools import pairwise

from shared.language.numbers import DigitRun
from shared.language.tokens import Tokens

# Phrases after which a caller says their number; a run just after one is preferred.
CUES = ("call me", "call back", "reach me", "my number", "number is", "callback number",
        "phone number", "my cell", "my mobile", "text me", "contact me", "reached at",
        "get me on", "get me at", "me back on", "me back at", "area code")  # fmt: skip
# Digits after these are order or account numbers, not somewhere to call.
NOT_PHONE = {"order", "account", "invoice", "reference", "confirmation", "tracking", "case",
              "claim", "policy", "ticket", "member", "serial", "model", "zip", "pin", "part",
              "sku", "stock", "item", "product", "vin", "registration", "receipt",
              "transaction", "customer", "patient", "employee", "student"}  # fmt: skip
# What follows a label's word when it names digits: "order number", "policy no", "member id".
LABEL_NOUNS = {"number", "no", "id", "code"}
# How far before its digits a label with "number" still names them, when only words of no
# cue and no sentence's end come between ("the serial number on the furnace is 858 412 3391").
_LABEL_REACH = 8
# A number the caller says not to call: "don't call my work number, 617…", "my old number,
# 617…, is disconnected". It is no callback number, whatever else the message holds.
_REFUSED_BEFORE = ("don't call", "dont call", "do not call", "not call", "old number",
                   "old cell", "old mobile", "previous number", "former number")  # fmt: skip
_REFUSED_AFTER = ("disconnected", "no longer", "out of service", "not in service",
                  "doesn't work", "does not work", "don't use", "do not use")  # fmt: skip
_REFUSAL_REACH = 4
# Digits said before one of these are an amount ("I paid 6,172,384,410 dollars").
_CURRENCIES = {"dollars", "dollar", "pounds", "euros", "quid", "bucks", "cents", "pence"}
WINDOW = 5  # tokens before a run searched for a cue ("call me back up by ...")


def is_other_number(tokens: Tokens, run: DigitRun) -> bool:
    words = tokens.low
    before = words[max(0, run.start - 4) : run.start]
    if _code_letters(tokens, run):
        # "policy HS-2207-6613", "reference PK-55902": the label names a code whose letters
        # come first, so it is read past them.
        before = before[:-1]
    if before and before[-1] in NOT_PHONE:
        # Not where the label ended a sentence and the digits begin the next ("the client
        # pulled the order. 480-655-1934"); "order no. 7781" keeps its label (see below).
        return run.start not in tokens.sentence_starts
    pairs = pairwise(before)
    if any(a in NOT_PHONE and b in LABEL_NOUNS for a, b in pairs):
        return True
    return _labelled_further(tokens, run) or _refused(words, run) or _amount(words, run)


def _labelled_further(tokens: Tokens, run: DigitRun) -> bool:
    """A label with "number" a few words before, in the same sentence and with no callback
    cue between: "the serial number on the furnace is 858 …", not "my account number is
    closed, call me at 617 …"."""
    words = tokens.low
    first = max(0, run.start - _LABEL_REACH)
    for i in range(run.start - 2, first - 1, -1):
        if i + 2 in tokens.sentence_starts or words[i + 1][:1].isdigit():
            return False
        if words[i] in NOT_PHONE and words[i + 1] in LABEL_NOUNS:
            between = words[i + 2 : run.start]
            said = f" {' '.join(between)} "
            return not (_SPEAKERS & set(between) or any(f" {cue} " in said for cue in CUES))
    return False


# Words between a label and digits that make the digits the caller's own to be reached on:
# "the account number over the phone, I'm on 01872 496 330".
_SPEAKERS = {"i", "i'm", "im", "me", "my", "we", "we're", "us", "our", "you", "your", "phone"}


def _refused(words: tuple[str, ...], run: DigitRun) -> bool:
    before = f" {' '.join(words[max(0, run.start - WINDOW) : run.start])} "
    after = f" {' '.join(words[run.end : run.end + _REFUSAL_REACH])} "
    return any(f" {p} " in before for p in _REFUSED_BEFORE) or any(
        f" {p} " in after for p in _REFUSED_AFTER
    )


def _amount(words: tuple[str, ...], run: DigitRun) -> bool:
    return run.end < len(words) and words[run.end] in _CURRENCIES


# At most this many letters written joined to digits are a code's ("HS-2207", "PK55902").
_MAX_CODE_LETTERS = 3


def _code_letters(tokens: Tokens, run: DigitRun) -> bool:
    """Whether the run's digits were written joined to a few letters before them, as a
    reference or policy code's are ("HS-2207-6613"). Only a label before the letters makes
    the run a code: without one, the letters may be a word misheard before a number."""
    if run.start == 0 or run.start not in tokens.attached:
        return False
    letters = tokens.low[run.start - 1]
    return letters.isalpha() and len(letters) <= _MAX_CODE_LETTERS
