"""Account, policy, member, order and reference numbers, and a bank's sort code: a run of
digits and letters after a cue ("my account number is a c seven seven two ...", "policy
number p r 7741290", "sort code 40-12-76")."""

from __future__ import annotations

from shared.redaction.digits import digits_between, is_numeric
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, first_after_cues
from shared.redaction_policy import Entity

# "account number" as a recogniser hears it with its "a" dropped. "count number" alone is
# ordinary speech ("the head count number is 12000"), so only with the owner's word straight
# before it, which no count takes ("my head count number" is not "my count number").
_MISHEARD_CUES = ("my count number", "your count number", "our count number")
_CUES = ("account", "acct", "policy", "member id", "member number", "membership number",
         "order number", "order no", "reference", "confirmation number", "confirmation code",
         "case number", "claim number", "invoice number", "tracking number",
         "customer number", "customer id", "patient id", "ticket number", "booking number",
         "booking reference", "loan number", "routing number", "subscriber id",
         # A UK bank's sort code (six digits, "40-12-76"): said with the account number, it
         # is the bank details a routing number is in the US.
         "sort code",
         *_MISHEARD_CUES)  # fmt: skip
# Words between a cue and the number itself ("account number is ...").
_BRIDGE = {"number", "no", "id", "is", "it's", "its", "was", "of", "uh", "um", "code",
           "reference", "ref", "num"}  # fmt: skip
_MAX_BRIDGE = 3
_MIN_CHARS = 5  # digits and letters: shorter ones are years, amounts, counts or times
_MIN_DIGITS = 3
_MAX_TOKENS = 30
_MAX_CODE_LETTERS = 4  # "ACC", "PR", "XJ": an account's letters, not a word


# Letters joined to a number's digits: written onto them, or hyphened ("WX-48213").
_JOINS = ("", "-")


def _is_part(s: Stream, i: int) -> bool:
    """Digits, a spoken digit, a letter spelled out, letters written onto digits, or a
    few letters written in capitals among mixed-case words ("XJ 48213", "2024 CV 00381")."""
    low, raw = s.low[i], s.raw[i]
    if is_numeric(s, i) or (len(low) == 1 and low.isalpha()):
        return True
    if len(low) > _MAX_CODE_LETTERS or not low.isalnum():
        return False
    if s.tokens.cased and raw.isalpha() and raw.isupper():
        return True
    return (i > 0 and s.gap(i) in _JOINS and s.low[i - 1].isdigit()) or (
        i + 1 < len(s) and s.gap(i + 1) in _JOINS and s.low[i + 1].isdigit()
    )


def _run_end(s: Stream, first: int) -> int:
    end = first
    while end < len(s) and end - first < _MAX_TOKENS and _is_part(s, end):
        end += 1
    # A spelled letter after the number is likelier the next word ("... one i need").
    while end > first and not is_numeric(s, end - 1) and s.gap(end - 1) not in _JOINS:
        end -= 1
    return end


def _candidate(s: Stream, first: int) -> Span | None:
    end = _run_end(s, first)
    if end == first:
        return None
    digits = digits_between(s, first, end)
    letters = [s.low[i] for i in range(first, end) if not is_numeric(s, i)]
    if len(digits) < _MIN_DIGITS or len(digits) + sum(map(len, letters)) < _MIN_CHARS:
        return None
    start, stop = s.chars(first, end)
    value = "".join(letters).upper() + digits
    return Span(Entity.ACCOUNT_NUMBER, start, stop, value)


def find_accounts(s: Stream, region: str) -> list[Span]:
    found = first_after_cues(s, _CUES, _BRIDGE, _MAX_BRIDGE, lambda j: _candidate(s, j))
    return [span for _, span in found]
