"""Which stretch of a recording to hear again: where a callback number was heard in part,
where two engines heard two different numbers, or where the other engine did not confirm it.

A focused second pass over the number, decoded alone (see shared.language.rehearing for when
its number is taken). It starts just before the number's first word and runs on for
``LENGTH_S``, so a number said twice is heard twice again.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.language.heard_twice import heard_twice, hearing_of
from shared.language.phone import CallbackNumber, find_callback
from shared.language.tokens import tokenize, word_of_each_token
from shared.models import Word

# Measured on the voicemail set's ten partial numbers: starting 0.3 s before the number's
# first word, the second hearing gave two of them right; starting 1.5 s before (the cue words
# in the window) it gave none, as Whisper wrote the digits as it had the first time.
LEAD_S = 0.3
LENGTH_S = 20.0


def span_to_rehear(
    text: str, words: Sequence[Word], region: str, duration_s: float
) -> tuple[float, float] | None:
    """(start, end) in seconds of the recording to decode again, or None when the text has
    a valid callback number, no digits that might be one, or words that do not line up
    with its tokens (then the number's place in the audio is unknown)."""
    found = find_callback(tokenize(text), region)
    if found.e164 is not None or not found.partial:
        return None
    return _span_of(found, text, words, duration_s)


def span_of_disputed_number(
    text: str, words: Sequence[Word], other_text: str, region: str, duration_s: float
) -> tuple[float, float] | None:
    """The stretch to hear again where another engine heard a different valid number in the
    recording (``other_text``) than the engine's own (``text``): the engine's number's."""
    found = find_callback(tokenize(text), region)
    other = find_callback(tokenize(other_text), region)
    if found.e164 is None or other.e164 is None or other.e164 == found.e164:
        return None
    return _span_of(found, text, words, duration_s)


def span_of_unconfirmed_number(
    text: str, words: Sequence[Word], other_text: str, region: str, duration_s: float
) -> tuple[float, float] | None:
    """The stretch of the engine's valid number where another engine's hearing of the
    recording (``other_text``) does not confirm it (``heard_twice``): a digit missed or heard
    otherwise, or no number at all."""
    found = find_callback(tokenize(text), region)
    if found.e164 is None:
        return None
    other = hearing_of(find_callback(tokenize(other_text), region))
    if heard_twice(found.e164, hearing_of(found), None, other):
        return None
    return _span_of(found, text, words, duration_s)


def _span_of(
    found: CallbackNumber, text: str, words: Sequence[Word], duration_s: float
) -> tuple[float, float] | None:
    if not words:
        return None
    owners = word_of_each_token(text, [word.word for word in words])
    if owners is None or found.start >= len(owners):
        return None
    first_word = words[owners[found.start]].start_s
    if first_word is None:
        return None
    start = max(0.0, first_word - LEAD_S)
    end = min(duration_s, start + LENGTH_S)
    return (round(start, 2), round(end, 2)) if end > start else None
