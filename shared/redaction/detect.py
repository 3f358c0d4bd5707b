"""Every piece of personal data a policy asks for, as non-overlapping character spans."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.redaction.access_codes import find_access_codes
from shared.redaction.accounts import find_accounts
from shared.redaction.addresses import find_addresses
from shared.redaction.birth_dates import find_birth_dates
from shared.redaction.cards import find_cards
from shared.redaction.emails import find_emails
from shared.redaction.person_names import (
    MIN_SURNAME_CHARS,
    find_person_names,
    opening_verb,
    surnames,
)
from shared.redaction.phones import find_phones
from shared.redaction.spans import Span, resolve
from shared.redaction.ssn import find_ssns
from shared.redaction.stream import Stream, bare, stream
from shared.redaction_policy import Entity, RedactionPolicy

Detector = Callable[[Stream, str], list[Span]]

DETECTORS: dict[Entity, Detector] = {
    Entity.PHONE_NUMBER: find_phones,
    Entity.EMAIL_ADDRESS: find_emails,
    Entity.CREDIT_CARD_NUMBER: find_cards,
    Entity.US_SOCIAL_SECURITY_NUMBER: find_ssns,
    Entity.DATE_OF_BIRTH: find_birth_dates,
    Entity.STREET_ADDRESS: find_addresses,
    Entity.PERSON_NAME: find_person_names,
    Entity.ACCOUNT_NUMBER: find_accounts,
    Entity.ACCESS_CODE: find_access_codes,
}

# A two-letter first name ("Al", "Jo") is too often something else to be found anywhere.
_MIN_KNOWN_CHARS = 3


@dataclass(frozen=True)
class Known:
    """A value already found elsewhere (the transcript), to be found again verbatim where
    nothing cues it: the reply greets "Maria" without "this is", a summary repeats a number."""

    entity: Entity
    surface: str
    value: str
    # Found only where each word is written with a capital first letter: a surname said
    # alone ("Raman", "MCDONALD") but not the ordinary word it may also be ("park", "white").
    cased: bool = False
    # ``cased`` only in a text that has capitals: one written all lower-case (a second
    # engine's hearing) cannot tell a first name from the word it may also be.
    cased_text_only: bool = False
    # Found only where a word for a code is said just before it: see ``said_as_code``.
    as_code: bool = False


def known_forms(entity: Entity, surface: str, value: str) -> list[Known]:
    """How a found value may be said again: as found and, for a name, without its title
    ("Dr. Maria Gonzalez" -> "maria gonzalez"), by its first name alone and by its surname
    alone, capitalised ("Mrs Raman")."""
    if is_short_code(entity, value):
        return [Known(entity, surface, value, as_code=True)]
    forms = [Known(entity, surface, value)]
    if entity is Entity.ACCESS_CODE and value != surface:
        forms.append(Known(entity, value, value))  # "7 3 9 1" said again as "7391"
    if entity is Entity.PERSON_NAME and value.split():
        # A first name written capitalised where it was found is, written lower-case in a
        # reply or summary, the ordinary word it may also be ("Will": "I will call").
        first = value.split()[0]
        capitalised = any(
            w[0].isupper() and w.lower() == first for w in re.findall(r"\w+", surface)
        )
        forms += [
            Known(entity, value, value),
            Known(entity, first, value, capitalised, cased_text_only=True),
        ]
        forms += [
            Known(entity, word, value, cased=True)
            for word in surnames(value.lower())
            if len(word) >= MIN_SURNAME_CHARS
        ]
    return forms


# A card's security code, or a door's of three digits, is a few digits, which a message says
# for other things too ("room 123", "at 4:30"): found once, it is caught again only where it
# is said as a code ("the code 123", "CVV 123"), not wherever the same digits come up. A
# door's code of four or more digits recurs by chance far less, and a caller repeats it to be
# sure of it ("just punch 4821 at the gate"): it is caught wherever it is said again.
_SHORT_CODE_DIGITS = range(3, 5)
_SHORT_ACCESS_DIGITS = range(3, 4)
_CODE_WORDS = frozenset({"code", "codes", "cvv", "cvv2", "cvc", "cvc2", "csc", "verification",
                         "digits", "pin", "passcode", "gate", "door", "alarm", "keypad",
                         "lockbox"})  # fmt: skip
_CODE_WORDS_BEFORE = 5  # "the code for the card is 123"
_CODE_CHARS_BEFORE = 80  # more than five words' worth of text to look through
# A full stop, question or exclamation mark before a space (not a decimal point).
_SENTENCE_END = re.compile(r"[.!?]+\s")


def is_short_code(entity: Entity, value: str) -> bool:
    card_code = entity is Entity.CREDIT_CARD_NUMBER and len(value) in _SHORT_CODE_DIGITS
    door_code = entity is Entity.ACCESS_CODE and len(value) in _SHORT_ACCESS_DIGITS
    return value.isdigit() and (card_code or door_code)


def said_as_code(text: str, start: int) -> bool:
    """Whether a word for a code is said in the few words before ``text[start:]``, in its
    own sentence and for no other number ("The gate code is 123. Room 123." and "the gate
    code is 123 and room 123" say the room's number as no code)."""
    window = text[max(0, start - _CODE_CHARS_BEFORE) : start]
    window = _SENTENCE_END.split(window)[-1]
    before = re.findall(r"[\w']+", window)[-_CODE_WORDS_BEFORE:]
    numbers = [n for n, word in enumerate(before) if any(c.isdigit() for c in word)]
    if numbers:  # the words before it were said of that number
        before = before[numbers[-1] + 1 :]
    return any(bare(w.lower()) in _CODE_WORDS for w in before)


def remember(text: str, spans: Iterable[Span]) -> list[Known]:
    """What ``spans`` found in ``text``, in every form ``known_forms`` gives."""
    return [k for s in spans for k in known_forms(s.entity, text[s.start : s.end], s.value)]


def _pattern(surface: str, cased: bool = False) -> re.Pattern[str] | None:
    words = re.findall(r"\w+", surface)
    if sum(map(len, words)) < _MIN_KNOWN_CHARS:
        return None
    # Any punctuation or spacing between the words: "415-555-0192" matches "415 555 0192".
    if cased:
        words = [f"{re.escape(w[0].upper())}(?i:{re.escape(w[1:])})" for w in words]
    else:
        words = [f"(?i:{re.escape(w)})" for w in words]
    return re.compile(r"(?<!\w)" + r"\W{0,3}".join(words) + r"(?!\w)")


def find_known(text: str, known: Iterable[Known], policy: RedactionPolicy) -> list[Span]:
    spans: list[Span] = []
    has_capitals = any(c.isupper() for c in text)
    words: Stream | None = None
    for item in known:
        cased = item.cased and (has_capitals or not item.cased_text_only)
        pattern = _pattern(item.surface, cased) if policy.wants(item.entity) else None
        if pattern is None:
            continue
        one_word = item.entity is Entity.PERSON_NAME and len(re.findall(r"\w+", item.surface)) == 1
        for m in pattern.finditer(text):
            if item.as_code and not said_as_code(text, m.start()):
                continue
            if one_word:
                # "Hope you are well" in the reply to Hope: the verb, as in the transcript.
                words = words or stream(text)
                at = bisect.bisect_left(words.starts, m.start())
                if at < len(words) and words.starts[at] == m.start() and opening_verb(words, at):
                    continue
            spans.append(Span(item.entity, m.start(), m.end(), item.value))
    return spans


def find_spans(text: str, policy: RedactionPolicy, known: Iterable[Known] = ()) -> list[Span]:
    """Spans of ``text`` holding the entities ``policy`` names, in order, none overlapping."""
    s = stream(text)
    found: list[Span] = []
    for entity in dict.fromkeys(policy.entities):
        found += DETECTORS[entity](s, policy.region)
    # A code is said again without its cue ("gate code 4821 ... punch 4821"), which no
    # detector finds: it is caught in the same text as in the texts made from it.
    codes = [sp for sp in found if _is_code(sp)]
    again = find_known(text, remember(text, codes), policy) if codes else []
    spans = resolve([*found, *again, *find_known(text, known, policy)])
    # A token of an earlier redaction is never a value ("this is [PERSON_NAME]" names no
    # one): redacting text twice (a redelivered stage) must leave it as it was.
    tokens = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
    return [sp for sp in spans if not any(a < sp.end and sp.start < b for a, b in tokens)]


def _is_code(span: Span) -> bool:
    return span.entity is Entity.ACCESS_CODE or is_short_code(span.entity, span.value)


TOKEN = re.compile(r"\[[A-Z_]+(?::[0-9a-f]{8})?\]")


def is_token(value: object) -> bool:
    """Whether ``value`` is a whole token of an earlier redaction."""
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None
