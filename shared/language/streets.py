"""Street words: "9 Hawthorn Close" is an address, and "Orchard Lane" no person's name."""

from __future__ import annotations

from collections.abc import Sequence

# A street's last word. ("Dr" and "St" are left out: a title, a saint.)
STREET_WORDS = frozenset({
    "street", "road", "rd", "lane", "ln", "avenue", "ave", "drive", "court", "ct", "way",
    "close", "place", "boulevard", "blvd", "terrace", "crescent", "square", "parkway",
    "highway", "alley", "row", "gardens",
})  # fmt: skip
# Words that end a street's name before its street word comes: what follows a number said
# as a time ("at 9 tomorrow, the road is closed", "at 2 we can drive over", "between eight
# and twelve. Any way we could ..."), not a name.
_NOT_NAME_WORDS = """
    a an the and or of on in at to from for by off my your our his her their is was be are
    this that it its it's i i'm i'll we we'll you he she they near past onto into across down
    up over then please if but so tomorrow today tonight morning afternoon evening night next
    o'clock o clock am pm sharp ish latest earliest monday tuesday wednesday thursday
    friday saturday sunday can could will would should want need just also any no
    either every some each other another which what whatever same half
"""
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
# Who lives at a number: "the neighbour at eleven has a key" is a house, not 11:00 (an hour
# said as one, "at eleven o'clock", stays a time).
_NEIGHBOURS = frozenset({"neighbour", "neighbours", "neighbor", "neighbors"})
# A street's name is at most this long ("9 saint james's park terrace").
_MAX_NAME_WORDS = 3


def house_number(words: Sequence[str], i: int, j: int) -> bool:
    """Whether the number at ``words[i:j]`` is a house's: a street's name and its street
    word follow ("at 9 hawthorn close", "by 12 harbor lane"), or "number" goes before it
    ("at number 9"), or a neighbour lives there ("the neighbour at eleven"). Such a number
    is never a time, however it is cued."""
    if i > 0 and words[i - 1] in ("number", "no"):
        return True
    if i > 1 and words[i - 1] == "at" and words[i - 2] in _NEIGHBOURS:
        return True
    for k in range(j, min(j + _MAX_NAME_WORDS, len(words))):
        word = words[k]
        if not word.isalpha() or word in _NOT_NAME or word in STREET_WORDS:
            return k > j and word in STREET_WORDS
    end = j + _MAX_NAME_WORDS
    return end < len(words) and words[end] in STREET_WORDS
