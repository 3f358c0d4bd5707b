"""Payment card numbers: 13-19 digits with an issuer's prefix and a valid Luhn checksum."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from shared.redaction.digits import digits_between, is_numeric, number_runs
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, bare, first_after_cues
from shared.redaction_policy import Entity

# Issuer prefixes and the lengths their cards come in (ISO/IEC 7812 ranges as the networks
# publish them). Random digits pass Luhn one time in ten; asking for a real prefix and
# length as well keeps account and order numbers that happen to pass from being "cards".
_NETWORKS: tuple[tuple[tuple[str, ...], range], ...] = (
    (("4",), range(13, 20)),  # Visa
    (("51", "52", "53", "54", "55"), range(16, 17)),  # Mastercard
    (tuple(str(p) for p in range(2221, 2721)), range(16, 17)),  # Mastercard 2-series
    (("34", "37"), range(15, 16)),  # American Express
    (("300", "301", "302", "303", "304", "305", "36", "38", "39"), range(14, 20)),  # Diners
    (tuple(str(p) for p in range(3528, 3590)), range(16, 20)),  # JCB
    (("6011", "644", "645", "646", "647", "648", "649", "65"), range(16, 20)),  # Discover
    (("62",), range(16, 20)),  # UnionPay
    # Maestro: only its own ranges; all of "6" would take in phone numbers said twice.
    (("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763"), range(13, 20)),
)
_MIN_DIGITS, _MAX_DIGITS = 13, 19
_MAX_TOKENS = 28  # 19 digits read one by one, with a few "double"s and fillers


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number carries in its last digit."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    if not (_MIN_DIGITS <= len(digits) <= _MAX_DIGITS) or not luhn_valid(digits):
        return False
    return any(
        len(digits) in lengths and digits.startswith(prefixes) for prefixes, lengths in _NETWORKS
    )


def _card_at(s: Stream, first: int, limit: int) -> tuple[int, str] | None:
    for end in range(min(limit, first + _MAX_TOKENS), first, -1):
        if not is_numeric(s, end - 1):
            continue
        digits = digits_between(s, first, end)
        if is_card_number(digits):
            return end, digits
    return None


# A card number read aloud and misheard by one digit fails its checksum, or by one digit
# dropped its length, and was left in the transcript whole, 15 of its 16 digits right. Said
# just after a word that names a card, any run of about a card's length is taken for one.
_CUES = frozenset({"card", "cards", "visa", "mastercard", "amex", "maestro"})
_CUE_WINDOW = 5  # words back from the number: "the long number on my card is ..."
# Twelve (a digit dropped) to a card's most with an expiry date said straight after it.
_MISHEARD_DIGITS = range(_MIN_DIGITS - 1, _MAX_DIGITS + 5)


def _after_a_card_cue(s: Stream, first: int) -> bool:
    return any(bare(s.low[j]) in _CUES for j in range(max(0, first - _CUE_WINDOW), first))


# A card's security code is card data as secret as its number, but three or four digits
# are anything anywhere, so only after a word for it: "CVV 123", "security code 4 5 6",
# "the three digits on the back are one two three".
# ("security number" is not one: it ends "social security number".)
_CODE_CUES = ("cvv", "cvv2", "cvc", "cvc2", "csc", "card verification",
              "digits on the back", "digits on the front", "numbers on the back",
              "number on the back")  # fmt: skip
# A door's, a gate's or an alarm's code is a "security code" too (an access code:
# access_codes.py): said so, the code is card data only where a card is spoken of (or read)
# nearby.
_SHARED_CUES = ("security code",)
_CARD_WORDS = _CUES | {"credit", "debit"}
_CARD_NEAR = 30  # words either side: one sentence or two of a voicemail
_CODE_BRIDGE = {"is", "it's", "its", "are", "was", "were", "number", "code", "value", "of",
                "the", "uh", "um", "er", "on", "for", "my", "your", *_CUES}  # fmt: skip
_CODE_DIGITS = range(3, 5)


def find_security_codes(s: Stream, cards: Sequence[Span] = ()) -> list[Span]:
    """Three or four digits, written or said, right after a cue for a card's security code
    (past a few words: "the three digits on the back of the card are ..."); after "security
    code" only with a card word or one of ``cards`` (found card numbers) nearby."""
    starts = {run.start: run for run in number_runs(s)}

    def read(j: int) -> Span | None:
        run = starts.get(j)
        if run is None or len(run.digits) not in _CODE_DIGITS:
            return None
        start, stop = s.chars(run.start, run.end)
        return Span(Entity.CREDIT_CARD_NUMBER, start, stop, run.digits)

    def card_near(span: Span) -> bool:
        first = bisect_left(s.starts, span.start)
        near = range(max(0, first - _CARD_NEAR), min(len(s), first + _CARD_NEAR))
        lo, hi = s.starts[near.start], s.ends[near.stop - 1]
        return any(bare(s.low[j]) in _CARD_WORDS for j in near) or any(
            card.start < hi and lo < card.end for card in cards
        )

    shared = first_after_cues(s, _SHARED_CUES, _CODE_BRIDGE, 4, read)
    return [span for _, span in first_after_cues(s, _CODE_CUES, _CODE_BRIDGE, 4, read)] + [
        span for _, span in shared if card_near(span)
    ]


def find_cards(s: Stream, region: str) -> list[Span]:
    """Card numbers in digit runs; a run with more digits (an expiry date or a security code
    read straight after) is searched for the card inside it. A run after a word naming a
    card is one however its digits check out (see _CUES)."""
    spans: list[Span] = []
    for run in number_runs(s):
        if len(run.digits) < _MIN_DIGITS - 1:
            continue
        checked_out = len(spans)
        i = run.start
        while i < run.end:
            hit = _card_at(s, i, run.end)
            if hit is None:
                i += 1
                continue
            end, digits = hit
            start, stop = s.chars(i, end)
            spans.append(Span(Entity.CREDIT_CARD_NUMBER, start, stop, digits))
            i = end
        # The whole run, also where a shorter card checks out inside it if the run is no
        # longer than a card (a misheard digit may make its first 14 pass; the rest is the
        # card's too; resolve() merges the two). A longer run around a card that checks
        # out is that card and its expiry date or security code: the card alone.
        beyond_a_card = len(spans) > checked_out and len(run.digits) > _MAX_DIGITS
        misheard = len(run.digits) in _MISHEARD_DIGITS and not beyond_a_card
        if misheard and _after_a_card_cue(s, run.start):
            start, stop = s.chars(run.start, run.end)
            spans.append(Span(Entity.CREDIT_CARD_NUMBER, start, stop, run.digits))
    return spans + find_security_codes(s, spans)
