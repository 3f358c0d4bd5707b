"""US Social Security numbers: the written 3-2-4 shape, or nine digits after a cue."""

from __future__ import annotations

import re

from shared.redaction.digits import number_runs
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, find_cue
from shared.redaction_policy import Entity

_WRITTEN = re.compile(r"(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])")
_CUES = ("social", "ssn", "s s n", "security number", "social security")
_CUE_WINDOW = 8


def plausible_ssn(digits: str) -> bool:
    """The SSA never issues area 000, 666 or 900-999, group 00 or serial 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000"


def find_ssns(s: Stream, region: str) -> list[Span]:
    spans = [
        Span(Entity.US_SOCIAL_SECURITY_NUMBER, m.start(), m.end(), digits)
        for m in _WRITTEN.finditer(s.text)
        if plausible_ssn(digits := m[1] + m[3] + m[4])
    ]
    for run in number_runs(s):
        window = s.low[max(0, run.start - _CUE_WINDOW) : run.start]
        if plausible_ssn(run.digits) and any(find_cue(window, cue) for cue in _CUES):
            start, end = s.chars(run.start, run.end)
            spans.append(Span(Entity.US_SOCIAL_SECURITY_NUMBER, start, end, run.digits))
    return spans
