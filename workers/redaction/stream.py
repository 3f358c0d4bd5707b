"""Transcript words with where each sits in the text, in the triage tokenizer's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workers.triage.tokens import Tokens

# The same token shapes as workers.triage.tokens, found with their offsets, so the triage
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
    found = list(_TOKEN.finditer(text.translate(_QUOTES)))
    raw = tuple(m.group() for m in found)
    cased = any(c.isupper() for c in text) and any(c.islower() for c in text)
    return Stream(
        text=text,
        tokens=Tokens(raw=raw, low=tuple(t.lower() for t in raw), cased=cased),
        starts=tuple(m.start() for m in found),
        ends=tuple(m.end() for m in found),
    )
