"""The caller's name, from how people introduce themselves on a voicemail."""

from __future__ import annotations

from collections.abc import Iterator

from shared.language.business_words import ORGANISATION_WORDS
from shared.language.greetings import greeting_length, in_greeting
from shared.language.its_cue import its_as_it_is, said_as_a_name
from shared.language.known_names import is_given_name, known_whole_name
from shared.language.name_reader import MAX_WORDS, joined, name_from
from shared.language.name_words import (
    CUES,
    FILLERS,
    PARTICLES,
    THANKS,
    THANKS_FILLERS,
    TITLES,
    is_name_word,
)
from shared.language.streets import STREET_WORDS
from shared.language.tokens import Tokens, find_phrase

__all__ = [
    "AFTER_NAME",
    "caller_name",
    "names_after_cues",
    "names_before_cues",
    "names_greeted",
    "past_fillers",
    "personal",
]

# A name said before these introduces the caller ("Dana here", "Dana Whitaker calling
# from Northwind") when nothing but a greeting comes before it.
AFTER_NAME = ("here", "calling", "speaking")
_GREETINGS = {"hi", "hello", "hey", "yes", "yeah", "morning", "afternoon", "evening", "good",
              "um", "uh", "oh", "there", "so", "hiya", "g'day", "howdy"}  # fmt: skip


# How far into a voicemail an introduction whose cue was misheard is looked for.
_OPENING_TOKENS = 12


def caller_name(tokens: Tokens) -> str | None:
    """The caller's name in title case, else None: after an introduction ("this is eric
    johnson", "my name is ...", "it's ...") or before one ("dana here", "dana calling");
    failing both, in a cased transcript, a capitalised first and last name in the opening
    words ("Hey, did Marcus Bell, the water heater..." where "it's" was misheard), or one
    signed off with, just before the number ("... right away. Jessica Moore, 615-908-2273")
    or after thanks ("Thanks again, Harold Finch."). A business's name is no one's."""
    tokens = its_as_it_is(tokens)  # "hi its sarah"
    for find in (_name_after_cue, _name_before_cue, _capitalised_pair, _signed_off, _thanked):
        name = find(tokens)
        if name is not None and personal(name):
            return name
    return None


# A word ending in a business word this long is that word joined to the business's own
# name by the recogniser: "this is Big Skylandscaping" (Big Sky Landscaping, b20 of the
# spoken unseen half of written_callers.json, so written by both engines). No known
# given name or surname ends in one; shorter ones end 55 (Bishop, Franco, Felicity).
_JOINED_BUSINESS_WORD = 6
_JOINABLE = tuple(word for word in ORGANISATION_WORDS if len(word) >= _JOINED_BUSINESS_WORD)


def personal(name: str) -> bool:
    return not any(
        word in ORGANISATION_WORDS or word.endswith(_JOINABLE) for word in name.lower().split()
    )


def _is_pair(tokens: Tokens, i: int) -> bool:
    """Whether tokens ``i`` and ``i + 1`` are a capitalised first and last name: not a place
    ("42 Orchard Lane") nor part of a longer capitalised run ("the Maple Street Neighborhood
    Association")."""
    if i > 0 and tokens.low[i - 1][:1].isdigit():
        return False  # after a house number: an address
    if i > 0 and tokens.low[i - 1] in _PLACE_BEFORE:
        return False  # "the front office at Pinecrest Elementary": a place, not a caller
    if i > 0 and tokens.low[i - 1] in _RELATIVES:
        return False  # "calling for my mother, Eleanor Grant": not the caller

    def capitalised(j: int) -> bool:
        return 0 <= j < len(tokens) and is_name_word(tokens.raw[j], tokens.low[j], cased=True)

    # "Mr and Mrs Afolabi here": the second title of a couple naming themselves.
    couple = i >= 2 and tokens.low[i - 1] == "and" and tokens.low[i - 2] in TITLES

    return (
        capitalised(i)
        and capitalised(i + 1)
        and not (capitalised(i - 1) or capitalised(i + 2))
        and not (in_greeting(tokens, i) or in_greeting(tokens, i + 1))
        # A place's ("42 Orchard Lane", "the Maple Street association"), not a person's.
        and not {tokens.low[i], tokens.low[i + 1]} & STREET_WORDS
        # A title ends no name: "Elm Dr. Call me" is a street's "Dr".
        and tokens.low[i + 1] not in TITLES
        # A titled name said on from other words is the one the caller asks for or speaks
        # of ("Please call Dr. Smith"); at the message's or a clause's start it is the
        # caller's ("Hello, Mr Fairweather, flat 12 ...", "Mr Okonkwo at 24 Fenwick Close").
        and (tokens.low[i] not in TITLES or i == 0 or i in tokens.punctuated or couple)
        and i + 1 not in tokens.sentence_starts  # "Thanks, Grace. Grace period is over."
    )


# Words before a capitalised pair that make it a place or a business rather than the caller.
_PLACE_BEFORE = {"at", "from", "of", "the", "with", "for", "to", "on", "in", "by", "near"}
# A name said after one of these is someone the caller speaks for or of ("calling for my
# mother, Eleanor Grant"); "this is her son, Peter" or "your neighbour Tom" is the caller
# ("this is my wife Sarah" is not said of oneself).
_RELATIVES = {"mother", "mom", "mum", "father", "dad", "husband", "wife", "son", "daughter",
              "brother", "sister", "partner", "grandmother", "grandfather", "grandson",
              "granddaughter", "aunt", "uncle", "niece", "nephew", "boss", "tenant",
              "landlord", "neighbour", "neighbor", "friend", "colleague"}  # fmt: skip
_POSSESSIVES = {"his", "her", "their", "your"}


def _capitalised_pair(tokens: Tokens) -> str | None:
    if not tokens.cased:
        return None
    opening = min(len(tokens), _OPENING_TOKENS)
    for i in range(opening - 1):
        if _is_pair(tokens, i) and not _after_thanks(tokens, i):
            return f"{tokens.raw[i]} {tokens.raw[i + 1]}"
    return None


def _after_thanks(tokens: Tokens, i: int) -> bool:
    """Whether token ``i`` comes straight after a thanks: a name there is one signed off with,
    which ``_thanked`` reads."""
    while i > 0 and tokens.low[i - 1] in THANKS_FILLERS:
        i -= 1
    return any(tokens.low[max(0, i - len(cue.split())) : i] == tuple(cue.split()) for cue in THANKS)


def _signed_off(tokens: Tokens) -> str | None:
    """A capitalised first and last name just before the message's last number (a caller
    who gives their name only at the end, with the number), the first a known given name."""
    if not tokens.cased:
        return None
    digits = [i for i, low in enumerate(tokens.low) if low[:1].isdigit()]
    if not digits:
        return None
    start = digits[-1]  # back to the first token of the message's last run of digits
    while start > 0 and tokens.low[start - 1][:1].isdigit():
        start -= 1
    i = start - 2
    if i < 0 or not _is_pair(tokens, i) or not is_given_name(tokens.raw[i]):
        return None
    return f"{tokens.raw[i]} {tokens.raw[i + 1]}"


def _name_before_cue(tokens: Tokens) -> str | None:
    return next(names_before_cues(tokens), None)


def names_before_cues(tokens: Tokens) -> Iterator[str]:
    """Every name said before "here", "calling" or "speaking" with only a greeting before it,
    or a greeting and the name of the person called ("Hi, Grace. Kim here")."""
    for start, end, _ in _before_cues(tokens):
        yield _titled(tokens, start, end)


def names_greeted(tokens: Tokens) -> Iterator[str]:
    """The name of the person a caller greets before naming themselves ("Hi Grace, Kim
    here"): for redaction, where it is as much a person's name as the caller's."""
    for start, _, greeted in _before_cues(tokens):
        words = range(greeted, start)
        if words and all(is_name_word(tokens.raw[j], tokens.low[j], tokens.cased) for j in words):
            yield _titled(tokens, greeted, start)


def _titled(tokens: Tokens, start: int, end: int) -> str:
    """Tokens ``start:end`` as a name, a title at its head written as after "this is"
    ("mr bhattacharya" -> "Mr. Bhattacharya")."""
    if end - start > 1 and tokens.low[start] in TITLES:
        return f"{TITLES[tokens.low[start]]} {joined(tokens, start + 1, end)}"
    return joined(tokens, start, end)


def _before_cues(tokens: Tokens) -> Iterator[tuple[int, int, int]]:
    """(start, end, greeted) of each name said at tokens ``start:end`` before "here",
    "calling" or "speaking", with only a greeting before it and the name of the person called
    at ``greeted:start`` (empty where none was said)."""
    for end, low in enumerate(tokens.low):
        if low not in AFTER_NAME:
            continue
        start = _name_start(tokens, end)
        greeted = _greeted(tokens, start)
        if start < end and greeted is None and _said_apart(tokens, start, end):
            greeted = start  # "Ask for Mrs. Jones at the desk, Tom here."
        if start < end and greeted is not None:
            yield start, end, greeted


def _said_apart(tokens: Tokens, start: int, end: int) -> bool:
    """Whether the name at ``start:end`` before the cue at ``end`` is said as a clause of its
    own after something else, in a cased transcript: after a pause, with a pause (or the
    end) after the cue, its first word a known given name ("..., Tom here.") or a title
    ("..., Mr. Lee here")."""
    after = end + 1
    return (
        tokens.cased
        and (start in tokens.punctuated or start in tokens.sentence_starts)
        and (after >= len(tokens) or after in tokens.punctuated)
        and (tokens.low[start] in TITLES or is_given_name(tokens.raw[start]))
    )


def _name_start(tokens: Tokens, end: int) -> int:
    """Where the name said just before token ``end`` starts (``end`` where none is)."""
    start, counted = end, 0
    while (
        start > 0
        and counted < MAX_WORDS
        and (counted == 0 or start not in tokens.sentence_starts)  # "john. smith here"
        # A cased name ends at a pause: "Hi Grace, Kim here" is Kim's.
        and (counted == 0 or not tokens.cased or start not in tokens.punctuated)
        and tokens.low[start - 1] not in TITLES
        and is_name_word(tokens.raw[start - 1], tokens.low[start - 1], tokens.cased)
    ):
        start -= 1
        while start > 0 and start in tokens.hyphened:
            start -= 1  # "Smith-Jones": one word of the name
        counted += 1
    # A title is no word of the name's count ("Dr. Anita Patel calling"), but is said with it.
    title = start - 1
    capitalised = title >= 0 and (not tokens.cased or tokens.raw[title][:1].isupper())
    if counted and capitalised and tokens.low[title] in TITLES:
        start = title
    return start


def _greeted(tokens: Tokens, start: int) -> int | None:
    """Where the name of the person called starts, said after the greeting and before a pause
    at token ``start`` ("Hi, Grace. Kim here"), ``start`` where only a greeting comes before
    it, None where anything else does (the name is not said as an introduction)."""
    if all(word in _GREETINGS for word in tokens.low[:start]):
        return start
    if start not in tokens.punctuated:
        return None
    first = start
    while (
        first > 0
        and start - first < MAX_WORDS
        and tokens.low[first - 1] not in _GREETINGS
        and tokens.raw[first - 1].isalpha()  # "Hi Grace", "Hi team", "Hello all"
    ):
        first -= 1
    if first == start or not all(word in _GREETINGS for word in tokens.low[:first]):
        return None
    return first


def _name_after_cue(tokens: Tokens) -> str | None:
    return next(names_after_cues(tokens), None)


def names_after_cues(tokens: Tokens) -> Iterator[str]:
    """Every name said after an introduction ("this is X"), the strongest cue's first."""
    for cue in CUES:
        for start in find_phrase(tokens.low, cue):
            i = past_fillers(tokens, start + len(cue.split()))
            if (
                i + 1 < len(tokens)
                and tokens.low[i] in _POSSESSIVES
                and tokens.low[i + 1] in _RELATIVES
            ):
                i = past_fillers(tokens, i + 2)  # "this is her son, Peter"
            title = None
            if i < len(tokens) and tokens.low[i] in TITLES:
                title, i = TITLES[tokens.low[i]], past_fillers(tokens, i + 1)
            if cue == "it's" and title is None and not said_as_a_name(tokens, i):
                continue  # "it's will be ready", "it's grace period"
            lead = [tokens.raw[i]] if i < len(tokens) and _ah_of_a_name(tokens, i) else []
            words = name_from(tokens, i + len(lead))
            if words and personal(" ".join(words)) and not _organisation_from(tokens, i):
                yield " ".join([*([title] if title else []), *lead, *words])


def past_fillers(tokens: Tokens, i: int) -> int:
    """The first token from ``i`` on that is not a filler ("this is um, er, john"); "Ah" of
    "Ah-young" is part of the name written joined to it, as of "Ah Kow" written so."""
    while (
        i < len(tokens)
        and tokens.low[i] in FILLERS
        and i + 1 not in tokens.hyphened
        and not _ah_of_a_name(tokens, i)
    ):
        i += 1
    return i


def _ah_of_a_name(tokens: Tokens, i: int) -> bool:
    """Whether token ``i`` is the "Ah" of a name ("This is Ah Kow"): written capitalised in a
    cased transcript, with no pause after it, before a capitalised word that may be a name's
    (no filler, no title). Lower-case or with a pause ("this is ah, Kow") it is the filler,
    and where nothing is written to tell (offline transcripts) too."""
    after = i + 1
    return (
        tokens.cased
        and tokens.raw[i] == "Ah"
        and after < len(tokens)
        and after not in tokens.punctuated
        and tokens.low[after] not in TITLES
        and is_name_word(tokens.raw[after], tokens.low[after], cased=True)
    )


# How far past a name's words a business word is looked for.
_ORGANISATION_RUN = 6


def _organisation_from(tokens: Tokens, i: int) -> bool:
    """Whether the run of name words from token ``i`` on names a business, even past the
    words a name may have ("this is Westside Youth Soccer League")."""
    for j in range(i, min(len(tokens), i + _ORGANISATION_RUN)):
        if j > i and j in tokens.punctuated:
            break
        if not is_name_word(tokens.raw[j], tokens.low[j], tokens.cased):
            break
        if tokens.low[j] in ORGANISATION_WORDS:
            return True
    return False


def _thanked(tokens: Tokens) -> str | None:
    """A first and last name, capitalised, just after the message's last thanks: a caller
    signing off. A single name there may be the person thanked ("Thanks, Gina"), so only a
    whole name counts, and only in a cased transcript."""
    if not tokens.cased:
        return None
    starts = [s + len(cue.split()) for cue in THANKS for s in find_phrase(tokens.low, cue)]
    if not starts:
        return None
    i = max(starts)
    while i < len(tokens) and tokens.low[i] in THANKS_FILLERS:
        i += 1
    if i < len(tokens) and tokens.low[i] in TITLES:
        return None  # "Thanks, Dr. Patel": the person thanked
    if i < len(tokens) and greeting_length(tokens, i):
        return None  # "Thanks, Merry Chrismas": a greeting, though "Merry" is a given name
    words = name_from(tokens, i)
    counted = [w for w in words if w not in PARTICLES]
    # Title-cased words are no name the lists know ("Thanks, Great Job!").
    return " ".join(words) if len(counted) >= 2 and known_whole_name(counted) else None
