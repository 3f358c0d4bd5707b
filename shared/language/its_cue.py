""" "its sarah": a recogniser writes "it's" without its apostrophe as often as with it, and the
caller's "hi, its Sarah" is then no introduction to the cue rules (shared.language.names).
"Its" is a word of its own too ("its engine", "its price"), so it is read as "it's" only
where an introduction stands: opening the message, after a greeting or at a sentence's start,
and before a known given name that is no everyday word ("its will be ready" stays as said),
followed by a known surname or a word no name holds: "its stan whenever you've got a minute"
and "its karen ive been paying" would read "Stan Whenever" and "Karen Ive", so stay unread."""

from __future__ import annotations

from dataclasses import replace

from shared.language.known_names import is_given_name, is_ordinary_word, is_surname
from shared.language.name_words import FILLERS, NOT_NAME_WORDS
from shared.language.tokens import Tokens

_BEFORE = {"hi", "hello", "hey", "hiya", "yes", "yeah", "oh", "morning", "afternoon",
           "evening", "there", "so", "ok", "okay", "um", "uh", "er", "erm", "ah"}  # fmt: skip


def its_as_it_is(tokens: Tokens) -> Tokens:
    """``tokens`` with an introducing "its" written "it's"."""
    at = [i for i, word in enumerate(tokens.low) if word == "its" and _introduces(tokens, i)]
    if not at:
        return tokens
    low, raw = list(tokens.low), list(tokens.raw)
    for i in at:
        low[i] = "it's"
        raw[i] = "It's" if raw[i][:1].isupper() else "it's"
    return replace(tokens, low=tuple(low), raw=tuple(raw))


def _introduces(tokens: Tokens, i: int) -> bool:
    opens = i == 0 or i in tokens.punctuated or tokens.low[i - 1] in _BEFORE
    j = i + 1
    while j < len(tokens) and tokens.low[j] in FILLERS:
        j += 1
    if not opens or j >= len(tokens):
        return False
    word = tokens.low[j]
    if not is_given_name(word) or is_ordinary_word(word) or word in NOT_NAME_WORDS:
        return False
    after = j + 1
    return (
        (
            after >= len(tokens)
            or after in tokens.punctuated
            or tokens.low[after] in NOT_NAME_WORDS
            or tokens.low[after][:1].isdigit()  # "its hannah 07700 900 435"
            or (is_surname(tokens.low[after]) and not is_ordinary_word(tokens.low[after]))
        )
        and tokens.low[after : after + 1] != (word,)
    )


# Said straight after a name that is an everyday word too, these make it one: "it's will
# from the garage", "it's will here", where "it's will be ready" is no one's.
_AFTER_A_NAME = {"here", "calling", "speaking", "from", "again", "with"}
# A given name the everyday-word list lacks, said as the everyday word it also is.
_EVERYDAY_PHRASES = {("grace", "period"), ("faith", "in"), ("hope", "so"), ("hope", "to"),
                     ("hope", "you"), ("joy", "ride")}  # fmt: skip
# How it is out or in, said after "it's": "it's mild out", "it's cold in here", "it's grand".
# No one's name ("Mild", "Cold"), unless said as one: "it's sunny from the salon", "it's
# sunny patel", cased or not (a capital may be a sentence's: "It's Mild out").
_STATES = frozenset({"mild", "cold", "hot", "warm", "sunny", "windy", "rainy", "raining",
                     "snowing", "freezing", "chilly", "humid", "muggy", "cloudy", "foggy",
                     "icy", "frosty", "stormy", "boiling", "roasting", "baltic", "grand",
                     "wet", "damp", "dry", "lovely", "gorgeous", "miserable", "bitter",
                     "nippy", "pouring", "bucketing", "scorching", "sweltering"})  # fmt: skip


def said_as_a_name(tokens: Tokens, i: int) -> bool:
    """Whether the lower-case word at ``i``, after "it's", is said as a name. A known given
    name that is also an everyday word ("will", "bill", "summer") is one only before a pause,
    the end, a number, a word that goes on from a name or a known surname: "it's will be
    ready" and "it's bill payment" would read "Will" and "Bill Payment"; "it's grace period"
    would read "Grace Period". Other words read as before (a surname the lists lack:
    "it's joanne whitely"). A word of how it is out (``_STATES``) is one only before a word
    that goes on from a name or a known surname."""
    if i < len(tokens) and tokens.low[i] in _STATES:
        nxt = tokens.low[i + 1] if i + 1 < len(tokens) and i + 1 not in tokens.punctuated else ""
        return nxt in _AFTER_A_NAME or (is_surname(nxt) and not is_ordinary_word(nxt))
    if tokens.cased or i >= len(tokens) or not is_given_name(tokens.low[i]):
        return True
    after = i + 1
    if after >= len(tokens) or after in tokens.punctuated or tokens.low[after][:1].isdigit():
        return True
    nxt = tokens.low[after]
    if (tokens.low[i], nxt) in _EVERYDAY_PHRASES:
        return False
    if not is_ordinary_word(tokens.low[i]):
        return True
    return nxt in _AFTER_A_NAME or (is_surname(nxt) and not is_ordinary_word(nxt))
