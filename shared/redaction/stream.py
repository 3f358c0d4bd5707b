"""Transcript words with where each sits in the text, in the triage tokenizer's shape."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from shared.language.tokens import Tokens, tokens_of

T = TypeVar("T")

# The same token shapes as shared.language.tokens, found with their offsets, so the triage
# number and name readers can run on them and their token indices map back to characters.
_TOKEN = re.compile(r"\+?\d+(?::\d{2})?(?:st|nd|rd|th)?|[^\W\d_]+(?:'[^\W\d_]+)*")
# One-for-one replacements only: offsets into the translated text are offsets into the text.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


@dataclass(frozen=True)
class Stream:
    text: str
    tokens: Tokens
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def low(self) -> tuple[str, ...]:
        return self.tokens.low

    @property
    def raw(self) -> tuple[str, ...]:
        return self.tokens.raw

    def chars(self, first: int, end: int) -> tuple[int, int]:
        """Character offsets covering tokens ``[first, end)``."""
        return self.starts[first], self.ends[end - 1]

    def gap(self, i: int) -> str:
        """The text between token ``i - 1`` and token ``i``."""
        return self.text[self.ends[i - 1] : self.starts[i]] if i > 0 else ""


def stream(text: str) -> Stream:
    translated = text.translate(_QUOTES)
    found = list(_TOKEN.finditer(translated))
    return Stream(
        text=text,
        tokens=tokens_of(translated, found),
        starts=tuple(m.start() for m in found),
        ends=tuple(m.end() for m in found),
    )


def bare(word: str) -> str:
    """``word`` without the "'s" speech is written with ("number's", "birthday's")."""
    return word.removesuffix("'s")


def find_cue(words: Sequence[str], cue: str) -> list[tuple[int, int]]:
    """Where the space-separated ``cue`` is said, as (first token, token after it). Its last
    word may carry "'s", and a word before "is" may carry it for both: transcripts write
    "my number's", "birthday's", "account number's" as often as the words in full."""
    target = cue.split()
    found: list[tuple[int, int]] = []
    for start in range(len(words)):
        j, k = start, 0
        while k < len(target) and j < len(words):
            word = words[j]
            last = k == len(target) - 1
            if word == target[k] or (bare(word) == target[k] and last):
                k += 1
            elif bare(word) == target[k] and k + 1 < len(target) and target[k + 1] == "is":
                k += 2
            else:
                break
            j += 1
        if k == len(target):
            found.append((start, j))
    return found


def first_after_cues(
    s: Stream,
    cues: Iterable[str],
    bridge: Collection[str],
    max_bridge: int,
    read: Callable[[int], T | None],
) -> list[tuple[int, T]]:
    """For each place a cue is said ("account number", "date of birth"), the first value
    ``read`` finds right after it or past up to ``max_bridge`` bridging words ("is", "it's"),
    with the word position it starts at."""
    found: list[tuple[int, T]] = []
    for cue in cues:
        for _, i in find_cue(s.low, cue):
            for j in range(i, min(i + max_bridge + 1, len(s))):
                if j > i and s.low[j - 1] not in bridge and bare(s.low[j - 1]) not in bridge:
                    break
                value = read(j)
                if value is not None:
                    found.append((j, value))
                    break
    return found
