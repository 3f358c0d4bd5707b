"""Every person a voicemail introduces, not only its caller: for redaction, where a name
missed is a name leaked.

The triage reads one caller's name (``shared.language.names.caller_name``). A message may
introduce more than one ("hi this is john smith calling, my name is maria lopez") and the
same cues find each. Lower-case words after a cue are often ordinary ones ("i'm free
tomorrow", "it's broken"), so a name beyond the triage's own is taken from lower-case words
only where it begins with a known given name (or, after a title, ends with a known surname:
``shared.language.known_names``). In a cased transcript a recogniser may still write a name
lower-case ("Hi, this is john smith"); a known name written so is read as if capitalised.
"""

from __future__ import annotations

from dataclasses import replace

from shared.language.known_names import is_given_name, is_surname
from shared.language.names import (
    AFTER_NAME,
    CUES,
    TITLES,
    caller_name,
    names_after_cues,
    names_before_cues,
    personal,
)
from shared.language.tokens import Tokens, find_phrase

_WRITTEN_TITLES = frozenset(TITLES.values())
# How many tokens after a cue a name (a title, three words and their particles) may reach,
# and before "here" / "calling" (two words).
_AFTER_CUE = 6
_BEFORE_CUE = 2


def introduced_names(tokens: Tokens) -> list[str]:
    """The caller's name as the triage reads it, then every other name a cue introduces, each
    once, in title case."""
    found = [name] if (name := caller_name(tokens)) else []
    read = _known_names_capitalised(tokens) if tokens.cased else tokens
    for name in [*names_after_cues(read), *names_before_cues(read)]:
        if name not in found and personal(name) and (tokens.cased or _known(name)):
            found.append(name)
    return found


def _known(name: str) -> bool:
    words = name.split()
    if words[0] in _WRITTEN_TITLES:
        return len(words) > 1 and is_surname(words[-1])
    return is_given_name(words[0])


def _known_names_capitalised(tokens: Tokens) -> Tokens:
    """``tokens`` with each lower-case word near a cue that is a known name capitalised, so
    the cue rules for a cased transcript take it as they take a capitalised one."""
    near: set[int] = set()
    for cue in CUES:
        for start in find_phrase(tokens.low, cue):
            after = start + len(cue.split())
            near.update(range(after, min(len(tokens), after + _AFTER_CUE)))
    for end, low in enumerate(tokens.low):
        if low in AFTER_NAME:
            near.update(range(max(0, end - _BEFORE_CUE), end))
    raw = list(tokens.raw)
    for j in sorted(near):
        word = raw[j]
        if word.isalpha() and word.islower() and (is_given_name(word) or is_surname(word)):
            raw[j] = word[0].upper() + word[1:]
    return replace(tokens, raw=tuple(raw))
