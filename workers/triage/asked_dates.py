"""Which of the days a caller mentions they ask for: not those of what has happened ("I was
in on Tuesday and the waiter was rude", "the boiler broke this morning"). A reply offers to
book only a day asked for (workers.triage.reply); the summary keeps every mention."""

from __future__ import annotations

from collections.abc import Sequence

from shared.language.tokens import Tokens

# A verb of what has happened, or a word that dates a mention back ("last Tuesday").
_PAST = {"was", "were", "had", "came", "went", "did", "visited", "ate", "dined",
         "bought", "ordered", "paid", "called", "rang", "phoned", "left", "took", "saw",
         "last", "ago", "yesterday", "broke", "broken", "started", "arrived", "happened",
         "stayed", "collected", "delivered", "fitted", "installed", "sent", "noticed",
         "since", "moved", "died", "stopped", "failed", "charged", "billed", "attended",
         "seen", "told", "said", "fixed", "repaired", "serviced", "emailed", "posted",
         "dropped", "picked", "cancelled", "canceled", "missed", "tried"}  # fmt: skip
# A clause ends at these (and at punctuation): "I was in on Monday and I'd like Friday".
_CLAUSE_ENDS = {"and", "but", "so", "because", "can", "could", "would", "please", "i'd",
                "if", "when"}  # fmt: skip
_LOOK_BACK = 6


def asked_dates(tokens: Tokens, mentions: Sequence[tuple[int, str]]) -> list[str]:
    """The mentions (``shared.language.dates.date_mentions``) not said of the past."""
    asked = [text for start, text in mentions if not _of_the_past(tokens, start)]
    return list(dict.fromkeys(asked))


def _of_the_past(tokens: Tokens, start: int) -> bool:
    words = tokens.low
    for k in range(start - 1, max(-1, start - _LOOK_BACK - 1), -1):
        if words[k] in _PAST:
            return True
        if words[k] in _CLAUSE_ENDS or k in tokens.punctuated:
            return False
    return start + 1 < len(words) and words[start + 1] == "ago"
