"""One token stream for every transcript, whether from pocketsphinx or a cloud engine.

Offline transcripts are lower-case words without punctuation; cloud ones are cased, with
digits and punctuation. Tokenising both the same way lets every extractor ignore the source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Digits keep a leading "+" (it marks an international number), a clock colon ("3:30") and
# an ordinal suffix ("5th"); words keep inner apostrophes ("it's", "o'clock").
# A redaction's token ("[PERSON_NAME]", "[PHONE_NUMBER:3f9a1c2b]") is one token, so its label
# is never read as words ("Hello PERSON").
_TOKEN = re.compile(
    r"\[[A-Z_]+(?::[0-9a-f]{8})?\]|\+?\d+(?::\d{2})?(?:st|nd|rd|th)?|[^\W\d_]+(?:'[^\W\d_]+)*"
)
# Dotted abbreviations would otherwise fall apart into single letters.
_ABBREVIATIONS = (
    (re.compile(r"\ba\.\s?m\b\.?", re.IGNORECASE), " am "),
    (re.compile(r"\bp\.\s?m\b\.?", re.IGNORECASE), " pm "),
    (re.compile(r"\ba\.s\.a\.p\b\.?", re.IGNORECASE), " asap "),
)
_PUNCTUATION = set(".,;:!?")
_SENTENCE_ENDS = set(".!?")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# A person's title written with a full stop ("Mr. Bhattacharya here"): the stop abbreviates
# the title, it is neither a pause nor a sentence's end, so a name is read across it.
_TITLES = frozenset({"mr", "mrs", "ms", "mx", "dr"})


@dataclass(frozen=True)
class Tokens:
    """The words of a transcript: ``raw`` as written, ``low`` lower-cased for matching."""

    raw: tuple[str, ...]
    low: tuple[str, ...]
    # Only a transcript that mixes cases tells us anything by its capitals.
    cased: bool
    # Tokens written joined to the one before by a hyphen ("I" and "17" in "I-17-482"):
    # how a recogniser writes the groups of one number it heard.
    hyphened: frozenset[int] = field(default=frozenset())
    # Tokens written after punctuation (".", ",", "?", ...): where a recogniser heard a
    # pause or a sentence end ("it's Ravi, Ravi Chaudhary"; "this is Dana. Something came up").
    punctuated: frozenset[int] = field(default=frozenset())
    # Tokens written with no space before them: the letters of "K.I.M." or "N-O-W-A-K".
    attached: frozenset[int] = field(default=frozenset())
    # Tokens written after a full stop, question or exclamation mark, with a space: where a
    # recogniser began a new sentence ("the client pulled the order. 480-655-1934").
    sentence_starts: frozenset[int] = field(default=frozenset())
    # Tokens written after a slash: the day and the year of "12/12/2026".
    slashed: frozenset[int] = field(default=frozenset())

    def __len__(self) -> int:
        return len(self.low)


def tokenize(text: str) -> Tokens:
    text = text.translate(_QUOTES)
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return tokens_of(text, list(_TOKEN.finditer(text)))


def tokens_of(text: str, found: Sequence[re.Match[str]]) -> Tokens:
    """The tokens that ``found`` (this module's token matches in ``text``, in order) are."""
    raw = tuple(m.group() for m in found)
    cased = any(c.isupper() for c in text) and any(c.islower() for c in text)
    gaps = [text[found[i - 1].end() : found[i].start()] for i in range(1, len(found))]
    gaps = [" " if _title_stop(raw, i, gap) else gap for i, gap in enumerate(gaps, start=1)]
    hyphened = frozenset(i for i, gap in enumerate(gaps, start=1) if gap == "-")
    punctuated = frozenset(i for i, gap in enumerate(gaps, start=1) if _PUNCTUATION & set(gap))
    attached = frozenset(
        i for i, gap in enumerate(gaps, start=1) if not any(c.isspace() for c in gap)
    )
    sentence_starts = frozenset(
        i
        for i, gap in enumerate(gaps, start=1)
        if _SENTENCE_ENDS & set(gap) and any(c.isspace() for c in gap)
    )
    return Tokens(
        raw=raw,
        low=tuple(t.lower() for t in raw),
        cased=cased,
        hyphened=hyphened,
        punctuated=punctuated,
        attached=attached,
        sentence_starts=sentence_starts,
        slashed=frozenset(i for i, gap in enumerate(gaps, start=1) if gap == "/"),
    )


def _title_stop(raw: Sequence[str], i: int, gap: str) -> bool:
    """Whether the gap before token ``i`` is a title's full stop before a word ("Mr. Lee").
    "Dr." straight after a capitalised word is a street's (a drive: "Oak Dr. Call me")."""
    title = i - 1
    if gap.rstrip() != "." or raw[title].lower() not in _TITLES or not raw[i][:1].isalpha():
        return False
    street = raw[title].lower() == "dr" and title > 0 and raw[title - 1][:1].isupper()
    return not street


def word_of_each_token(text: str, words: Sequence[str]) -> list[int] | None:
    """For each token of ``text``, the index of the recogniser's word it came from ("617-867"
    heard as one word is two tokens); None when the words do not tokenise as the text does
    (then no token can be placed in the audio)."""
    owners: list[int] = []
    for index, word in enumerate(words):
        owners.extend([index] * len(tokenize(word)))
    return owners if len(owners) == len(tokenize(text)) else None


def find_phrase(words: Sequence[str], phrase: str) -> list[int]:
    """Start indices where the space-separated ``phrase`` occurs as whole tokens."""
    target = phrase.split()
    size = len(target)
    return [i for i in range(len(words) - size + 1) if list(words[i : i + size]) == target]


def has_phrase(words: Sequence[str], phrase: str) -> bool:
    return bool(find_phrase(words, phrase))
