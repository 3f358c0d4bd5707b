"""Street addresses: a house number (written or said), a street name and a street type,
then an optional direction and unit ("1600 pennsylvania avenue northwest apartment 12 c",
"fourteen twenty oak street apartment three b", "123 Main St., Apt 4B")."""

from __future__ import annotations

from shared.language.numbers import ORDINALS
from shared.redaction.digits import NUMBER_WORDS, digits_between, number_runs
from shared.redaction.spans import Span
from shared.redaction.stream import Stream
from shared.redaction_policy import Entity

_STREET_TYPES_WORDS = """
    street st avenue ave road rd lane ln drive dr boulevard blvd court ct way place pl
    terrace ter circle cir parkway pkwy highway hwy square sq trail trl plaza alley crescent
"""
_STREET_TYPES = frozenset(_STREET_TYPES_WORDS.split())
_DIRECTIONS_WORDS = """
    north south east west northeast northwest southeast southwest n s e w ne nw se sw
"""
_DIRECTIONS = frozenset(_DIRECTIONS_WORDS.split())
_UNITS = frozenset(
    {"apartment", "apt", "unit", "suite", "ste", "flat", "floor", "fl", "number", "no"}
)
# A house number may be said as words ("twelve thirty four", "nine oh five", "two hundred
# and five"); "and" only ever inside one.
_HOUSE_WORDS = NUMBER_WORDS | {"oh", "o", "hundred", "thousand", "and"}
# Words that are never part of a street's name; most of them come between a number and a
# street type in ordinary speech ("a two hour drive", "three blocks off main street").
_NOT_NAME_WORDS = """
    a an the and or of on in at to from for by off my your our his her their is was be are
    this that it its it's i we you he she they near past onto into across down up over
    hour hours minute minutes mile miles block blocks day days week weeks month months year
    years dollar dollars time times more one way long short
"""
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
_MAX_NAME_WORDS = 3
_MAX_HOUSE_TOKENS = 6
_MAX_UNIT_TOKENS = 4


def _is_name_word(low: str) -> bool:
    if low in _NOT_NAME or low in NUMBER_WORDS or low in _STREET_TYPES or low in _UNITS:
        return False
    written_ordinal = low[:-2].isdigit() and low[-2:] in ("st", "nd", "rd", "th")
    return low.isalpha() or written_ordinal or low in ORDINALS


def _house_start(s: Stream, end: int) -> int | None:
    """First token of the house number that ends at token ``end`` (exclusive)."""
    first = end
    while first > 0 and end - first < _MAX_HOUSE_TOKENS:
        low = s.low[first - 1]
        if not ((low.isdigit() and len(low) <= 6) or low in _HOUSE_WORDS):
            break
        first -= 1
    while first < end and s.low[first] in ("and", "oh", "o"):
        first += 1
    return first if first < end and digits_between(s, first, end) else None


def _unit_end(s: Stream, i: int) -> int:
    """Index after a unit ("apartment 12 c", "apt 4b", "unit seven b") starting at ``i``."""
    if i >= len(s) or s.low[i] not in _UNITS:
        return i
    j = i + 1
    while j < len(s) and j - i <= _MAX_UNIT_TOKENS and s.low[j] in ("number", "no"):
        j += 1
    start = j
    while (
        j < len(s)
        and j - start < _MAX_UNIT_TOKENS
        and (s.low[j].isdigit() or s.low[j] in NUMBER_WORDS or s.low[j] in ("oh", "hundred"))
    ):
        j += 1
    if j == start:
        return i  # "unit" with nothing after it is just a word
    # One letter after the number: "12 c", "4B" (two tokens, written together).
    if j < len(s) and len(s.low[j]) == 1 and s.low[j].isalpha() and s.low[j] not in "ai":
        j += 1
    return j


# A post office box is where the post reaches someone as a street address is: "P.O. Box
# 123", "PO Box 4567", "post office box twelve". "Box" alone ("box 12 of the files") is not.
_PO_BOX = (("p", "o", "box"), ("po", "box"), ("post", "office", "box"), ("pob",))
_MAX_BOX_TOKENS = 6


def find_po_boxes(s: Stream) -> list[Span]:
    spans: list[Span] = []
    runs = {run.start: run.end for run in number_runs(s)}
    for first in range(len(s)):
        for words in _PO_BOX:
            after = first + len(words)
            if s.low[first:after] != words:
                continue
            end = runs.get(after)
            if end is None or end - after > _MAX_BOX_TOKENS:
                continue
            start, stop = s.chars(first, end)
            value = "po box " + digits_between(s, after, end)
            spans.append(Span(Entity.STREET_ADDRESS, start, stop, value))
    return spans


def find_addresses(s: Stream, region: str) -> list[Span]:
    spans: list[Span] = find_po_boxes(s)
    for kind in range(len(s)):
        if s.low[kind] not in _STREET_TYPES:
            continue
        name_start = kind
        while name_start > 0 and kind - name_start < _MAX_NAME_WORDS:
            if not _is_name_word(s.low[name_start - 1]):
                break
            name_start -= 1
        if name_start == kind:
            continue
        first = _house_start(s, name_start)
        if first is None:
            continue
        end = kind + 1
        while end < len(s) and s.low[end] in _DIRECTIONS:
            end += 1
        end = _unit_end(s, end)
        start, stop = s.chars(first, end)
        value = " ".join(s.low[first:end])
        spans.append(Span(Entity.STREET_ADDRESS, start, stop, value))
    return spans
