"""Whether a word is a known given name or surname, by Faker's lists of people's names.

Faker keeps, per locale, the given names and surnames its fake people are made of, drawn
from national statistics and maintained with the package. Every locale written in the
Latin alphabet is taken (38 in Faker 40: English of eleven countries, Spanish, German,
Nordic, Dutch, Italian, Polish, Irish, Nigerian, ...): about 13,600 given names and 15,400
surnames. A locale whose lists are in another script adds nothing a Latin transcript could
match, so it is left out rather than transliterated.

The lists are loaded once per process (85-400 ms): on first use, or before it with
``preload()``, which stt and llm workers and the API call as they start, so the first job that
redacts a person's name (or whose offline engine rescores one,
workers/providers/stt/name_rescoring.py) does not pay for it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

# A locale counts as Latin-script when nearly all its names are ASCII: a few "José" or
# "Zoë" in an English list must not drop it.
_ASCII_SHARE = 0.9


@cache
def _lists() -> tuple[dict[str, str], dict[str, str]]:
    """Given names and surnames, each by its lower-case form, to the spelling of the first
    list that has it ("mcleod" -> "McLeod"), so a name put into a transcript is written as
    people write it."""
    # Imported here, not at the top: only the offline engine and triage need it.
    import faker.providers.person as person

    given: dict[str, str] = {}
    surnames: dict[str, str] = {}
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        first = _names(provider, "first_names") or [
            *_names(provider, "first_names_male"),
            *_names(provider, "first_names_female"),
        ]
        if not first or sum(name.isascii() for name in first) < _ASCII_SHARE * len(first):
            continue
        for name in first:
            given.setdefault(name.lower(), name)
        for name in _names(provider, "last_names"):
            surnames.setdefault(name.lower(), name)
    return given, surnames


def preload() -> None:
    """Load the lists now rather than in the first job that needs them."""
    _lists()
    _ordinary_words()


def loaded() -> bool:
    return _lists.cache_info().currsize > 0


def _names(provider: Any, attribute: str) -> list[str]:
    """A provider's list of names (a tuple, or a dict of name to weight), or [] where the
    attribute is missing or computed (some locales build theirs with a property)."""
    found = getattr(provider, attribute, None)
    if not isinstance(found, Iterable) or isinstance(found, str):
        return []
    return [name for name in found if isinstance(name, str)]


def is_given_name(word: str) -> bool:
    return word.lower() in _lists()[0]


def is_surname(word: str) -> bool:
    return word.lower() in _lists()[1]


@cache
def _ordinary_words() -> frozenset[str]:
    # Faker's English filler text: ~970 everyday words, 56 of them also given names
    # ("summer", "hope", "will", "may"), which is what this tells apart.
    from faker.providers.lorem.en_US import Provider as Lorem

    return frozenset(word.lower() for word in Lorem.word_list)


def is_ordinary_word(word: str) -> bool:
    """Whether ``word`` is an everyday English word (as well as any name it may also be)."""
    return word.lower() in _ordinary_words()


def known_whole_name(words: Sequence[str]) -> bool:
    """Whether capitalised words said with no cue before them may be a whole name: its first
    word a known given name or its last a known surname ("Siddharth Rao"), or none of them
    an everyday word ("Xochitl Quispe", names the lists lack). "Great Job" is neither."""
    known = bool(words) and (
        is_given_name(words[0].split("-")[0]) or is_surname(words[-1].split("-")[-1])
    )
    return known or not any(is_ordinary_word(word) for word in words)


def given_names() -> dict[str, str]:
    """Every known given name, by its lower-case form, to its spelling."""
    return _lists()[0]


def surnames() -> dict[str, str]:
    """Every known surname, by its lower-case form, to its spelling."""
    return _lists()[1]
