"""Known names that sound like a word: what a misheard name may have been.

A speech engine writes a name it does not know by its sounds ("Atmet" for Ahmed, "Griggus"
for Briggs, "Carlok" for Carlos). The names that may have been said are the known ones
(``shared.language.known_names``) whose Metaphone code, an English phonetic key (jellyfish),
is at most one edit from the heard word's and whose spelling is at most half its letters
away, and any known name at most two letters away whatever its code; nearest in spelling
first. Which of them was said is for the audio to tell (workers/providers/stt/name_rescoring.py).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import jellyfish

from shared.language.known_names import given_names, surnames

# Where the name stands tells which list it is looked up in: the first of two words is a
# given name, the last a surname, a lone word (or one after a title: "Dr. Alvarez") either.
Role = Literal["given", "surname", "either"]

# Measured on the three spoken sets (106 voicemails): every right name among the candidates
# was within the eight nearest, and each candidate costs the engine a scoring of its text.
NEAREST = 8


def known(word: str, role: Role) -> bool:
    return word.lower() in _names(role)


def names_like(word: str, role: Role, limit: int = NEAREST) -> list[str]:
    """The known names, as spelled, that ``word`` may be a mishearing of (not itself)."""
    heard = word.lower()
    if len(heard) < 2:
        return []
    names = _names(role)
    code = jellyfish.metaphone(heard)
    slack = max(2, len(heard) // 2)
    found: set[str] = set()
    for key, group in _codes(role).items():
        if jellyfish.levenshtein_distance(key, code) <= 1:
            found.update(n for n in group if jellyfish.levenshtein_distance(n, heard) <= slack)
    found.update(n for n in names if jellyfish.levenshtein_distance(n, heard) <= 2)
    found.discard(heard)
    ranked = sorted(
        found,
        key=lambda n: (
            jellyfish.levenshtein_distance(n, heard),
            jellyfish.levenshtein_distance(jellyfish.metaphone(n), code),
            n,
        ),
    )
    return [names[n] for n in ranked[:limit]]


@cache
def _names(role: Role) -> dict[str, str]:
    if role == "given":
        return given_names()
    if role == "surname":
        return surnames()
    return {**surnames(), **given_names()}


@cache
def _codes(role: Role) -> dict[str, tuple[str, ...]]:
    """The role's names grouped by Metaphone code (built once per process, ~0.2 s)."""
    grouped: dict[str, list[str]] = {}
    for name in _names(role):
        grouped.setdefault(jellyfish.metaphone(name), []).append(name)
    return {code: tuple(group) for code, group in grouped.items()}
