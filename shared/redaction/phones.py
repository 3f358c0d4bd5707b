"""Phone numbers, written or read aloud, that libphonenumber says are real numbers.

Digit runs come from the triage reader (spoken digits, "oh", "double", joiner words, a
spoken "plus"). A run may hold more than one number, or a number with other digits on
either side, so valid numbers are looked for inside it; a run after a phone cue that makes
no valid number (a local number without its area code) is still somebody's number.
"""

from __future__ import annotations

from shared.language.phone import MAX_DIGITS, MIN_DIGITS, phone_runs, to_e164
from shared.redaction.digits import (
    digits_between,
    is_international,
    is_numeric,
    number_runs,
    with_zeros,
)
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, find_cue
from shared.redaction_policy import Entity

# Tokens a number can take to say: 15 digits, a "plus", a few "double"s and joiner words.
_MAX_TOKENS = 24
_CUES = ("call me", "call back", "reach me", "my number", "number is", "phone number",
         "my cell", "my mobile", "text me", "reached at", "me back on", "me back at",
         "area code", "ring me", "my phone", "phone is", "cell is")  # fmt: skip
_CUE_WINDOW = 5


def _is_cued(s: Stream, first: int) -> bool:
    window = s.low[max(0, first - _CUE_WINDOW) : first]
    return any(find_cue(window, cue) for cue in _CUES)


def _valid_at(s: Stream, first: int, limit: int, region: str) -> tuple[int, str] | None:
    """The longest valid number starting at token ``first`` and ending by ``limit``."""
    if not (is_numeric(s, first) or s.low[first] == "plus"):
        return None
    for end in range(min(limit, first + _MAX_TOKENS), first, -1):
        if not is_numeric(s, end - 1):
            continue
        digits = digits_between(s, first, end)
        if MIN_DIGITS <= len(digits) <= MAX_DIGITS:
            e164 = to_e164(digits, region, international=is_international(s, first))
            if e164 is not None:
                return end, e164
    return None


def _with_bracket(s: Stream, span: Span) -> Span:
    # "(415) 555-0123": the opening bracket belongs to the number it opens.
    if span.start > 0 and s.text[span.start - 1] == "(":
        return Span(span.entity, span.start - 1, span.end, span.value)
    return span


# An extension said straight after a number is the rest of how to reach that person:
# "415 555 0100 ext. 204", "extn 204", "extension two oh four", "x204", "#204".
_EXTENSION_CUES = frozenset({"ext", "extn", "extension", "x"})
_EXTENSION_DIGITS = range(1, 7)
# Written "#204": a "#" is no token, so only the text between the number and the digits
# shows it ("... 0100. #2 on my list" is a new sentence's, and kept).
_EXTENSION_MARK = "#"


def _extension_end(s: Stream, end: int, runs: dict[int, int], run_end: int) -> int:
    """Index after an extension said at token ``end`` (just after a number, in a run of digits
    ending at ``run_end``), else ``end``."""
    if end >= len(s):
        return end
    if s.gap(end).strip() == _EXTENSION_MARK:
        first = end
    elif s.low[end] not in _EXTENSION_CUES:
        return end
    elif s.low[end] == "x" and end + 1 < len(s) and s.gap(end + 1).strip():
        return end  # "x" only written onto its digits or a space before them: "x204"
    else:
        first = end + 1
    if first < len(s) and s.low[first] in ("number", "no"):
        first += 1
    # Digits written after a "#" are read on as more of the number's own run.
    stop = runs.get(first) or (run_end if first < run_end else None)
    if stop is None or len(digits_between(s, first, stop)) not in _EXTENSION_DIGITS:
        return end
    return stop


def find_phones(s: Stream, region: str) -> list[Span]:
    runs = {run.start: run.end for run in number_runs(s)}
    spans: list[Span] = []
    for run in with_zeros(s.low, phone_runs(s.tokens)):
        whole = digits_between(s, run.start, run.end)
        found: list[tuple[int, int, str]] = []
        i = run.start
        while i < run.end:
            hit = _valid_at(s, i, run.end, region)
            if hit is None:
                i += 1
                continue
            end, e164 = hit
            # The number said again, or begun again, straight after: "... 0192 four one five".
            rest = digits_between(s, end, run.end)
            if rest and digits_between(s, i, end).startswith(rest):
                end = run.end
            found.append((i, end, e164))
            i = end
        if not found and _is_cued(s, run.start):
            found.append((run.start, run.end, whole))
        for first, end, value in found:
            end = _extension_end(s, end, runs, run.end)
            start, stop = s.chars(first, end)
            spans.append(_with_bracket(s, Span(Entity.PHONE_NUMBER, start, stop, value)))
    return spans
