"""Codes that open a door, a gate, an alarm or a key safe: "gate code 4821", "the alarm code
is 7 3 9 1", "door code 1234#", and "the security code is 4821" where no card is spoken of.

Three to eight digits are anything anywhere (a room, a time, an amount), so a code is only
taken right after a word for it, as a card's security code is (``cards.find_security_codes``).
"""

from __future__ import annotations

from shared.redaction.cards import find_cards
from shared.redaction.digits import number_runs
from shared.redaction.spans import Span
from shared.redaction.stream import Stream, first_after_cues
from shared.redaction_policy import Entity

# "code" alone is no cue: a zip code, an area code, a promo or an error code is no secret,
# nor is a building code (the regulations).
_CUES = ("security code", "gate code", "door code", "alarm code", "entry code", "access code",
         "keypad code", "lockbox code", "lock box code", "key safe code", "keysafe code",
         "key box code", "garage code", "buzzer code", "passcode", "pass code",
         "code for the", "code to the", "code for my", "code to my")  # fmt: skip
# Words said between the cue and the code: "the code for the front gate is ...", "the entry
# code to the building is ...", "the gate code's been changed to ...".
_BRIDGE = {"is", "it's", "its", "was", "are", "has", "had", "now", "will", "be", "been",
           "changed", "set", "to", "the", "a", "my", "our", "your", "of", "for", "on", "number",
           "just", "uh", "um", "er", "front", "back", "side", "main", "door", "gate", "alarm",
           "garage", "building", "house", "flat", "apartment", "lockbox", "keypad", "box",
           "yard", "site", "entrance", "office", "unit"}  # fmt: skip
_MAX_BRIDGE = 6  # "the gate code for our yard has changed to 4417"
_DIGITS = range(3, 9)
# A keypad's keys written on to the code: "1234#", "*4821".
_KEYS = "#*"


def find_access_codes(s: Stream, region: str) -> list[Span]:
    """Three to eight digits, written or said, right after a cue for a door's, gate's or
    alarm's code (past a few words); a code the card detector takes for a card's is left to
    it."""
    starts = {run.start: run for run in number_runs(s)}

    def read(j: int) -> Span | None:
        run = starts.get(j)
        if run is None or len(run.digits) not in _DIGITS:
            return None
        start, stop = s.chars(run.start, run.end)
        while start > 0 and s.text[start - 1] in _KEYS:
            start -= 1
        while stop < len(s.text) and s.text[stop] in _KEYS:
            stop += 1
        return Span(Entity.ACCESS_CODE, start, stop, run.digits)

    cards = find_cards(s, region)
    found = {span for _, span in first_after_cues(s, _CUES, _BRIDGE, _MAX_BRIDGE, read)}
    return sorted(
        (span for span in found if not any(span.overlaps(card) for card in cards)),
        key=lambda span: span.start,
    )
