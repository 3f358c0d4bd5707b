"""References written with letters, and vanity numbers, as the offline voice should say them.

The voice read "A-5567-221" as "a, five thousand five hundred sixty seven, two hundred
twenty one" and "1-800-FLOWERS" as "one, eight hundred, FLOWERS" with a pause after the one.
"""

from __future__ import annotations

import re

from shared.language.numbers import say_digits

# Capitals and digits joined by hyphens, with both in it: "A-5567-221", "INV-2026-0042",
# "2026-AB-0042". A part of five or more letters is a word ("COVID-19"), and a reference has
# four digits or more ("F-150", "A-320" are models, said as they are written).
_LETTERED = re.compile(r"(?<![\w-])(?:[A-Z]{1,4}|\d+)(?:-(?:[A-Z]{1,4}|\d+))+(?![\w-])")
_MIN_DIGITS = 4

# A toll-free prefix before a word in capitals: "1-800-FLOWERS", "1-888-GO-FEDEX".
_VANITY = re.compile(r"(?<![\w-])1-(8(?:00|33|44|55|66|77|88))-(?=[A-Z]{2,}(?:-[A-Z]+)*\b)")


def digit_groups(digits: str) -> list[str]:
    """``digits`` cut into groups of four, then three, as few groups as fours allow: 6 is
    3+3, 7 is 4+3, 9 is 3+3+3, 10 is 4+3+3; five or fewer stay one group."""
    if len(digits) <= 5:
        return [digits]
    count = -(-len(digits) // 4)
    fours = len(digits) - 3 * count
    sizes = [4] * fours + [3] * (count - fours)
    starts = [sum(sizes[:k]) for k in range(count)]
    return [digits[start : start + size] for start, size in zip(starts, sizes, strict=True)]


def _said_lettered(match: re.Match[str]) -> str:
    parts = match.group(0).split("-")
    if sum(len(p) for p in parts if p.isdigit()) < _MIN_DIGITS or all(p.isdigit() for p in parts):
        return match.group(0)
    said: list[str] = []
    for part in parts:
        if part.isdigit():
            said += [say_digits(group) for group in digit_groups(part)]
        else:
            # Joined by hyphens the voice names each letter; "A" alone was the article.
            said.append("-".join(part))
    return ", ".join(said)


def said_lettered_references(text: str) -> str:
    """``text`` with its vanity numbers and lettered references as they are said."""

    def vanity(match: re.Match[str]) -> str:
        prefix = "eight hundred" if match.group(1) == "800" else say_digits(match.group(1))
        return f"one {prefix} "

    return _LETTERED.sub(_said_lettered, _VANITY.sub(vanity, text))
