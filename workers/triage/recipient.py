"""Whom a message is for, where the caller names someone at the business: "a message for
Julie in accounts", "could you pass this on to Dr Patel". The summary says so, and the reply
says it will be passed on, where it would otherwise answer as if it were for anyone.

Only after a cue that says the message is meant for someone, and only a known given name
(shared.language.known_names) or a title and a name: "a message for the team" and "trying to
reach you" name nobody."""

from __future__ import annotations

from shared.language.known_names import is_given_name, is_ordinary_word
from shared.language.name_words import TITLES
from shared.language.tokens import Tokens

_CUES = (("message", "for"), ("this", "is", "for"), ("messages", "for"), ("trying", "to", "reach"),
         ("trying", "to", "get", "hold", "of"), ("for", "the", "attention", "of"),
         ("pass", "this", "on", "to"), ("pass", "this", "message", "on", "to"),
         ("pass", "a", "message", "on", "to"), ("pass", "a", "message", "to"),
         ("leave", "a", "message", "for"), ("could", "you", "ask"), ("can", "you", "ask"),
         ("please", "ask"), ("wanting", "to", "speak", "to"), ("like", "to", "speak", "to"),
         ("want", "to", "speak", "to"), ("speak", "with"))  # fmt: skip
# "Julie in accounts": the team, where one of these follows.
_TEAMS = {"accounts", "sales", "billing", "reception", "payroll", "admin", "hr", "marketing",
          "customer", "service", "lettings", "finance", "bookings", "support", "the"}  # fmt: skip
_WORD_IN_TEAM = {"in", "from", "at", "on"}


def _name(tokens: Tokens, i: int) -> tuple[str, int] | None:
    """The name said at ``tokens[i]``: a title and a name ("Dr Patel"), or a given name that
    is no everyday word, with its surname where one is capitalised after it."""
    low, raw = tokens.low, tokens.raw
    if i >= len(low):
        return None
    if low[i].rstrip(".") in TITLES and i + 1 < len(low) and low[i + 1].isalpha():
        return f"{TITLES[low[i].rstrip('.')]} {raw[i + 1].capitalize()}", i + 2
    word = low[i]
    if not word.isalpha() or not is_given_name(word) or is_ordinary_word(word):
        return None
    name, j = raw[i].capitalize(), i + 1
    if (
        tokens.cased
        and j < len(raw)
        and raw[j][:1].isupper()
        and raw[j].isalpha()
        and j not in tokens.punctuated  # "a message for Gary. The match is off"
        and not is_ordinary_word(raw[j])
    ):
        name, j = f"{name} {raw[j]}", j + 1
    return name, j


def message_for(tokens: Tokens) -> str | None:
    """ "Julie in accounts" for "... a message for Julie in accounts, could she ..."; None
    where the caller names nobody at the business."""
    low = tokens.low
    for start in range(len(low)):
        for cue in _CUES:
            end = start + len(cue)
            if tuple(low[start:end]) != cue:
                continue
            found = _name(tokens, end)
            if found is None:
                continue
            name, j = found
            if j + 1 < len(low) and low[j] in _WORD_IN_TEAM and low[j + 1] in _TEAMS:
                team = [low[j + 1]]
                if low[j + 1] in ("the", "customer") and j + 2 < len(low):
                    team.append(low[j + 2])
                name = f"{name} {low[j]} {' '.join(team)}"
            return name
    return None
