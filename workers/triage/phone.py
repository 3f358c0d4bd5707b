"""Callback numbers: which digit run is the number to call, and its E.164 form."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from workers.triage.numbers import DigitRun, digit_runs, say_digits
from workers.triage.tokens import Tokens

MIN_DIGITS = 7  # shorter runs are times, amounts or house numbers, never a phone number
MAX_DIGITS = 15  # E.164's limit; longer runs are card or account numbers read aloud


@dataclass(frozen=True)
class Region:
    country_code: str
    trunk: str  # national prefix dropped in E.164 ("" where there is none)
    lengths: range  # digits of the national significant number
    international_prefix: str


# A deliberately small table: enough to normalise the usual shapes, never a validator.
_NANP = Region("1", "", range(10, 11), "011")
REGIONS: dict[str, Region] = {
    "US": _NANP,
    "CA": _NANP,
    "GB": Region("44", "0", range(9, 11), "00"),
    "IE": Region("353", "0", range(7, 10), "00"),
    "DE": Region("49", "0", range(6, 14), "00"),
    "FR": Region("33", "0", range(9, 10), "00"),
    "AU": Region("61", "0", range(9, 10), "00"),
}

# Phrases after which a caller says their number; a run just after one is preferred.
_CUES = ("call me", "call back", "reach me", "my number", "number is", "callback number",
         "phone number", "my cell", "my mobile", "text me", "contact me", "reached at")  # fmt: skip
# Digits after these are order or account numbers, not somewhere to call.
_NOT_PHONE = {"order", "account", "invoice", "reference", "confirmation", "tracking", "case",
              "claim", "policy", "ticket", "member", "serial", "model", "zip", "pin"}  # fmt: skip
_WINDOW = 5  # tokens before a run searched for a cue ("call me back up by ...")


def to_e164(digits: str, region: str, *, international: bool = False) -> str | None:
    """``digits`` in E.164 ("+14155550198"), or None when the shape is not recognised."""
    if international:
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    reg = REGIONS.get(region.upper())
    if reg is None:
        return None
    if digits.startswith(reg.international_prefix):
        rest = digits[len(reg.international_prefix) :]
        return f"+{rest}" if 8 <= len(rest) <= 15 else None
    if reg.trunk and digits.startswith(reg.trunk):
        national = digits[len(reg.trunk) :]
    elif digits.startswith(reg.country_code) and len(digits) - len(reg.country_code) in (
        reg.lengths
    ):
        national = digits[len(reg.country_code) :]
    else:
        national = digits
    if len(national) not in reg.lengths:
        return None
    # NANP area codes never start with 0 or 1: such a run is a misheard number.
    if reg is _NANP and national[0] in "01":
        return None
    return f"+{reg.country_code}{national}"


def _is_cued(words: tuple[str, ...], run: DigitRun) -> bool:
    window = " ".join(words[max(0, run.start - _WINDOW) : run.start])
    return any(f" {cue} " in f" {window} " for cue in _CUES)


def _is_other_number(words: tuple[str, ...], run: DigitRun) -> bool:
    before = words[max(0, run.start - 4) : run.start]
    if before and before[-1] in _NOT_PHONE:
        return True
    pairs = pairwise(before)
    return any(a in _NOT_PHONE and b in {"number", "no", "id", "code"} for a, b in pairs)


def phone_runs(tokens: Tokens) -> list[DigitRun]:
    """Digit runs long enough to be phone numbers, in order of appearance."""
    runs = digit_runs(tokens.low, tokens.raw)
    return [r for r in runs if MIN_DIGITS <= len(r.digits) <= MAX_DIGITS]


def find_callback_number(tokens: Tokens, region: str) -> str | None:
    """The number to call back: cued runs first, then ones that normalise, then earliest."""
    ranked: list[tuple[bool, bool, int, str]] = []
    for run in phone_runs(tokens):
        if _is_other_number(tokens.low, run):
            continue
        e164 = to_e164(run.digits, region, international=run.international)
        ranked.append((not _is_cued(tokens.low, run), e164 is None, run.start, e164 or run.digits))
    return min(ranked)[3] if ranked else None


def _groups(digits: str) -> list[str]:
    # Threes with a closing four, the rhythm people use when reading numbers aloud.
    if len(digits) <= 5:
        return [digits]
    head = len(digits) - (4 if len(digits) % 3 == 1 else 8 if len(digits) % 3 == 2 else 0)
    groups = [digits[i : i + 3] for i in range(0, head, 3)]
    rest = digits[head:]
    return groups + [rest[i : i + 4] for i in range(0, len(rest), 4)]


def speak_number(number: str, region: str) -> str:
    """A number as a TTS voice should read it: digit words, pauses between groups."""
    if not number.startswith("+"):
        return ", ".join(say_digits(g) for g in _groups(number))
    home = REGIONS.get(region.upper())
    for reg in ([home] if home else []) + list(REGIONS.values()):
        if number[1:].startswith(reg.country_code):
            rest = number[1 + len(reg.country_code) :]
            if reg is home:
                # At home people dial the trunk prefix, so that is what they recognise.
                return ", ".join(say_digits(g) for g in _groups(reg.trunk + rest))
            groups = [reg.country_code, *_groups(rest)]
            return "plus " + ", ".join(say_digits(g) for g in groups)
    return "plus " + ", ".join(say_digits(g) for g in _groups(number[1:]))
