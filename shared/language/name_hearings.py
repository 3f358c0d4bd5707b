"""The caller's name where two engines heard the recording: each word from the hearing that
makes it a known name.

Whisper and Moonshine mishear names differently. On the voicemail set (``make quality``)
Whisper wrote "Preer Raman" and Moonshine "Priya Ramon" for Priya Raman; "Geron Baptiste" and
"Jerome Baptiste"; "I'm Alvarez here" and "Tom Alvarez here"; "it's render Carol's kid" and
"it's Brenda Kowalski". So, word by word, the hearing whose word is a known given name or
surname (``shared.language.known_names``) is taken, and the first engine's (Whisper, whose
transcript the job keeps) wherever both or neither are known: the lists only arbitrate, they
never put a name in that no engine heard.

A name only the second engine heard is taken when its first word is a known given name:
Moonshine's "Hello, English life and calling" for Ingrid Larsen reads as the name "English
Life" by the introduction rules, and is no one's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.language.known_names import is_given_name, is_surname
from shared.language.name_words import TITLES

_WRITTEN_TITLES = frozenset(TITLES.values())


@dataclass(frozen=True)
class _Name:
    title: str | None
    words: list[str]  # as written, particles ("de", "van") included

    @classmethod
    def parse(cls, name: str) -> _Name:
        words = name.split()
        if words[0] in _WRITTEN_TITLES:
            return cls(words[0], words[1:])
        return cls(None, words)

    @property
    def plain(self) -> bool:
        """A given name and a surname, nothing between them."""
        return len(self.words) == 2 and all(word[:1].isupper() for word in self.words)

    def known(self) -> bool:
        return bool(self.words) and (
            is_given_name(self.words[0]) or (self.title is not None and is_surname(self.words[-1]))
        )

    def __str__(self) -> str:
        return " ".join([self.title, *self.words] if self.title else self.words)


def choose_caller_name(first: str | None, second: str | None) -> str | None:
    """The caller's name from the first engine's reading (``first``) and a second engine's
    (``second``), each as ``shared.language.names.caller_name`` gives it."""
    if not second:
        return first
    other = _Name.parse(second)
    if not first:
        return str(other) if other.known() else None
    ours = _Name.parse(first)
    if _fills_in(ours, other) or (_unknown_word(ours) and other.plain and other.known()):
        return str(other)
    if ours.plain and other.plain and ours.title == other.title:
        given = _pick(ours.words[0], other.words[0], is_given_name)
        surname = _pick(ours.words[1], other.words[1], is_surname)
        return str(_Name(ours.title, [given, surname]))
    return first


def _fills_in(ours: _Name, other: _Name) -> bool:
    """Whether the second hearing is the first's one word with the other half of the name:
    "Alvarez" and "Tom Alvarez", "Dana" and "Dana Whitaker", both halves known."""
    if len(ours.words) != 1 or not other.plain:
        return False
    given, surname = other.words
    heard = ours.words[0].lower()
    both_known = is_given_name(given) and is_surname(surname)
    return heard in (given.lower(), surname.lower()) and both_known


def _unknown_word(ours: _Name) -> bool:
    """Whether the first hearing's name is one word that is no known name at all: Whisper's
    "it's Render Carol's kid" for Brenda Kowalski, which Moonshine heard whole. Such a word
    says as little as no name, so a whole name with a known given name, as a name only the
    second engine heard must have, is taken instead."""
    if ours.title is not None or len(ours.words) != 1:
        return False
    return not (is_given_name(ours.words[0]) or is_surname(ours.words[0]))


def _pick(ours: str, other: str, known: Callable[[str], bool]) -> str:
    return other if known(other) and not known(ours) else ours
