"""A number given in two parts with its area code named apart: "the area code is 617 and the
number is 555-0142", "555-0142, area code 617". Each part alone is no number (the local
part was kept as a partial one); the two together, the code first, are read as one only
where libphonenumber finds them a valid number."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shared.language.numbers import DigitRun
from shared.language.tokens import has_phrase

_NAMED = ("area code", "dialling code", "dialing code", "std code")
# The code is said just after its name ("area code is 617", "area code, six one seven").
_BETWEEN = {"is", "it's", "its", "of", "being", "that's"}
_CODE_DIGITS = range(2, 6)  # 617; 0161, 01632


def with_area_code(
    words: Sequence[str],
    runs: Sequence[DigitRun],
    valid: Callable[[str], str | None],
) -> tuple[DigitRun, DigitRun, str] | None:
    """The area code's run, the local part's and the number (E.164) the two make, if any.
    ``valid`` gives a digit string's E.164 where it is a valid number."""
    if not any(has_phrase(words, name) for name in _NAMED):
        return None
    codes = [run for run in runs if len(run.digits) in _CODE_DIGITS and _named(words, run)]
    for code in codes:
        for local in runs:
            if local is code or len(local.digits) < 5 or valid(local.digits) is not None:
                continue
            if (number := valid(code.digits + local.digits)) is not None:
                return code, local, number
    return None


def _named(words: Sequence[str], run: DigitRun) -> bool:
    """Whether "area code" (or the like) is said just before the run."""
    k = run.start - 1
    while k >= 0 and words[k] in _BETWEEN:
        k -= 1
    return k >= 1 and f"{words[k - 1]} {words[k]}" in _NAMED
