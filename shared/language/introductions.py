"""Every person a voicemail introduces, not only its caller: for redaction, where a name
missed is a name leaked.

The triage reads one caller's name (``shared.language.names.caller_name``). A message may
introduce more than one ("hi this is john smith calling, my name is maria lopez") and the
same cues find each. Lower-case words after a cue are often ordinary ones ("i'm free
tomorrow", "it's broken"), so a name beyond the triage's own is taken from lower-case words
only where it begins with a known given name (or, after a title, ends with a known surname:
``shared.language.known_names``). In a cased transcript a recogniser may still write a name
lower-case ("Hi, this is john smith"); there a lower-case word is ordinary English far more
often than a name ("it's green", "it's grace period", "It's young people"), so only a known
given name said right after "this is" or "my name is", or right before "here", "calling" or
"speaking", is read as if capitalised, with a known surname just after it.
"""

from __future__ import annotations

from dataclasses import replace

from shared.language.its_cue import its_as_it_is
from shared.language.known_names import is_given_name, is_surname
from shared.language.name_words import TITLES
from shared.language.names import (
    AFTER_NAME,
    caller_name,
    names_after_cues,
    names_before_cues,
    names_greeted,
    past_fillers,
    personal,
)
from shared.language.tokens import Tokens, find_phrase

_WRITTEN_TITLES = frozenset(TITLES.values())
# The cues after which a cased transcript's lower-case given name is taken for one: "it's"
# and "i'm" are followed by ordinary words too often ("it's will", "I'm may be late").
_STRONG_CUES = ("my name is", "my name's", "name is", "this is")


def introduced_names(tokens: Tokens) -> list[str]:
    """The caller's name as the triage reads it, then every other name a cue introduces, each
    once, in title case."""
    tokens = its_as_it_is(tokens)  # "hi its sarah"
    found = [name] if (name := caller_name(tokens)) else []
    read = _known_names_capitalised(tokens) if tokens.cased else tokens
    for name in [*names_after_cues(read), *names_before_cues(read)]:
        if name not in found and personal(name) and (tokens.cased or _known(name)):
            found.append(name)
    # The person greeted is named with no cue of its own, and "Hi Team, Kim here" greets no
    # one by name: only a known given name is taken, or any name after a title ("Hi Dr. Patel").
    for name in names_greeted(read):
        first = name.split()[0]
        if (
            name not in found
            and personal(name)
            and (first in _WRITTEN_TITLES or is_given_name(first))
        ):
            found.append(name)
    return found


def _known(name: str) -> bool:
    words = name.split()
    if words[0] in _WRITTEN_TITLES:
        return len(words) > 1 and is_surname(words[-1])
    return is_given_name(words[0])


def _known_names_capitalised(tokens: Tokens) -> Tokens:
    """``tokens`` with a lower-case known given name capitalised where it is introduced (right
    after a strong cue, or right before "here"/"calling"/"speaking"), and a lower-case known
    surname just after it, so the cue rules for a cased transcript take them as they take a
    capitalised name."""
    given: set[int] = set()
    for cue in _STRONG_CUES:
        given.update(
            past_fillers(tokens, start + len(cue.split())) for start in find_phrase(tokens.low, cue)
        )
    given.update(end - 1 for end, low in enumerate(tokens.low) if low in AFTER_NAME and end)
    raw = list(tokens.raw)
    for j in sorted(given):
        if j < len(raw) and _lower(raw[j]) and is_given_name(raw[j]):
            raw[j] = raw[j].capitalize()
            after = j + 1
            if after < len(raw) and _lower(raw[after]) and is_surname(raw[after]):
                raw[after] = raw[after].capitalize()
    return replace(tokens, raw=tuple(raw))


def _lower(word: str) -> bool:
    return word.isalpha() and word.islower()
