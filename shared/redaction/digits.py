"""Digits said or written over a stretch of tokens, read by shared.language.numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from shared.language.numbers import HEARD_AS_LETTER, TEENS, TENS, UNITS, DigitRun, digit_runs
from shared.redaction.stream import Stream

# Words that can stand for digits inside a number read aloud ("oh", "double five").
NUMBER_WORDS = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS)
_ZEROS = ("oh", "o")
_DIGIT_LIKE = NUMBER_WORDS | {*_ZEROS, "double", "triple", "hundred", "thousand"}


def with_zeros(low: Sequence[str], runs: Sequence[DigitRun]) -> list[DigitRun]:
    """``runs`` grown over the "oh"s beside them. The triage reader takes "oh" as zero only
    next to a plain digit, so it drops the second of two ("... five one oh oh"); inside a
    number already being read, a run of them is zeros."""
    out: list[DigitRun] = []
    for run in runs:
        start, end = run.start, run.end
        while end < len(low) and low[end] in _ZEROS:
            end += 1
        while start > 0 and low[start - 1] in _ZEROS and (not out or out[-1].end < start):
            start -= 1
        digits = "0" * (run.start - start) + run.digits + "0" * (end - run.end)
        out.append(replace(run, start=start, end=end, digits=digits))
    return out


def number_runs(s: Stream) -> list[DigitRun]:
    """Every run of tokens that spells digits, in order."""
    return with_zeros(s.low, digit_runs(s.low, s.raw, s.tokens.hyphened))


def digits_between(s: Stream, first: int, end: int) -> str:
    """Every digit tokens ``[first, end)`` spell, words between the numbers skipped."""
    low = s.low[first:end]
    hyphened = {i - first for i in s.tokens.hyphened if first < i < end}
    runs = digit_runs(low, s.raw[first:end], hyphened)
    return "".join(run.digits for run in with_zeros(low, runs))


def is_numeric(s: Stream, i: int) -> bool:
    """Token ``i`` is a written number ("415", "+1"), a word that can spell one, or a
    letter written as one of a number's hyphened groups ("I-17-482")."""
    low = s.low[i]
    if low in HEARD_AS_LETTER:
        return i + 1 in s.tokens.hyphened and s.low[i + 1].isdigit()
    return low.lstrip("+").isdigit() or low in _DIGIT_LIKE


def is_international(s: Stream, first: int) -> bool:
    return s.raw[first].startswith("+") or s.low[first] == "plus"
