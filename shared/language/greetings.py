"""Where a season's greeting is said ("Merry Christmas", "Happy Holidays"): words no name
is read from, though some are given names ("Merry", "Eve", "Easter")."""

from __future__ import annotations

import re

from shared.language.known_names import is_given_name, is_ordinary_word, is_surname
from shared.language.name_words import GREETINGS
from shared.language.tokens import Tokens

# "Christmas" as recognisers and callers misspell it: "Chrismas", "Christmass", "Krismas".
_CHRISTMAS_LIKE = re.compile(r"^(?:c|ch|k)r?i?s+t?m[ae]s+$")
# The day before an occasion, said after its greeting: "Merry Christmas Eve".
_EVE = "eve"


def greeting_length(tokens: Tokens, i: int) -> int:
    """How many tokens from ``i`` are a season's greeting, 0 where none starts there: one of
    GREETINGS, or "Merry" before a word no name list knows that is an everyday word or
    Christmas misspelt ("Merry Everything", "Merry Chrismas"; "Merry Smith" and "Merry Ann"
    are names), with the occasion's "Eve" said straight after it ("Merry Christmas Eve")."""
    size = next(
        (
            len(words)
            for words in (tuple(g.split()) for g in GREETINGS)
            if tokens.low[i : i + len(words)] == words
        ),
        0,
    )
    after = i + 1
    if not size and tokens.low[i] == "merry" and after < len(tokens):
        word = tokens.low[after]
        if (
            after not in tokens.punctuated
            and word.isalpha()
            and not (is_given_name(word) or is_surname(word))
            and (is_ordinary_word(word) or _CHRISTMAS_LIKE.match(word) is not None)
        ):
            size = 2
    end = i + size
    if size and end < len(tokens) and tokens.low[end] == _EVE and end not in tokens.punctuated:
        size += 1
    return size


def in_greeting(tokens: Tokens, i: int) -> bool:
    """Whether token ``i`` is a word of a season's greeting."""
    return any(start + greeting_length(tokens, start) > i for start in range(max(0, i - 3), i + 1))
