"""The caller's name, found by the triage reader ("this is X", "my name is X", "it's X",
"X here", "X calling"), and every other place the transcript says it."""

from __future__ import annotations

from shared.language.names import caller_name
from shared.language.tokens import find_phrase
from shared.redaction.spans import Span
from shared.redaction.stream import Stream
from shared.redaction_policy import Entity

TITLES = frozenset({"dr", "doctor", "mr", "mister", "mrs", "ms", "miss"})


def find_person_names(s: Stream, region: str) -> list[Span]:
    name = caller_name(s.tokens)
    if name is None:
        return []
    # The reader title-cases and may add a title ("Dr. Smith"); the words are what was said.
    parts = [p.lower() for p in name.split() if p.rstrip(".").lower() not in TITLES]
    if not parts:
        return []
    value = " ".join(parts)
    # The whole name wherever it is said, and a first name said alone later ("... it's
    # maria again"); a surname alone is too often an ordinary word ("park", "white").
    phrases = [value, parts[0]] if len(parts) > 1 else [value]
    taken: set[int] = set()
    spans: list[Span] = []
    for phrase in phrases:
        size = len(phrase.split())
        for first in find_phrase(s.low, phrase):
            if first in taken:
                continue
            taken.update(range(first, first + size))
            if first > 0 and s.low[first - 1] in TITLES:
                first -= 1
            start, end = s.chars(first, first + size + (1 if s.low[first] in TITLES else 0))
            spans.append(Span(Entity.PERSON_NAME, start, end, value))
    return spans
