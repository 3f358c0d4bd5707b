"""The caller's name, from how people introduce themselves on a voicemail."""

from __future__ import annotations

from collections.abc import Iterator

import jellyfish

from shared.language.business_words import ORGANISATION_WORDS
from shared.language.dates import WEEKDAYS
from shared.language.known_names import is_given_name
from shared.language.numbers import TEENS, TENS, UNITS
from shared.language.tokens import Tokens, find_phrase

# Strongest introduction first: "my name is" is rarely followed by anything but a name,
# while "i'm" is as often followed by a state ("i'm calling", "i'm worried").
CUES = ("my name is", "my name's", "name is", "this is", "it's", "i'm", "i am")
TITLES = {"doctor": "Dr.", "dr": "Dr.", "mister": "Mr.", "mr": "Mr.", "mrs": "Mrs.",
           "ms": "Ms.", "miss": "Miss"}  # fmt: skip
# Lower-case transcripts give no capitals to go by, so a name ends at the first word that
# is common English (and in practice follows a name: "from", "calling", "and").
_COMMON_WORDS = """
    a an the and or but so nor from calling call called with at about on in for to of
    just here again back my your our his her their this that these those it its is was
    be been being am are were have has had having do does did i me we you he she they him
    them us not no yes very really also only still trying try wanted want wanting need
    needing needed looking hoping going gonna following regarding returning leaving
    reaching phoning ringing writing letting sending contacting hi hello hey good
    morning afternoon evening night thanks thank please sorry um uh er ah oh well okay ok like
    know sure glad happy interested concerned worried upset unhappy angry frustrated
    speaking urgent leaking getting got doing available home out over up down there who
    what when where why how which can could would should shall might must
    message voicemail number phone office company team customer client patient
    yours one order account appointment water heater re hiya g'day howdy
"""
# What callers say after "I'm", "it's" or a greeting that is no one's name, found as names
# in the triage corpus's lower-case messages ("i'm waiting on a prescription", "i'm after a
# price", "im calling") and typed ones ("Hi. Question here.", "It's Yeah no worries"). None is
# in the known-name lists' spelling of a name that would be missed: "Quick" and "Stirling"
# are surnames, so no rule by ending ("-ly", "-ing") is made.
_NOT_NAMES = """
    actually yeah yep yup nope question basically anyway another after due meant supposed
    broke outside stuck never nothing half honestly definitely pretty im waiting making
    moving charging coming passing paying dropping holding travelling whistling dripping
    peeling started cheers sincerely regards bye
"""
# What a caller says while finding the next word. Said between a cue and the name ("this is
# um john smith") it is passed over, and it is never a word of a name. "Like" is not among
# them: after a cue it more often compares than fills ("it's like sarah said").
FILLERS = frozenset({"um", "umm", "uh", "uhm", "er", "erm", "ah", "hmm"})
NOT_NAME_WORDS = (
    set(_COMMON_WORDS.split())
    | FILLERS
    | set(_NOT_NAMES.split())
    | set(UNITS)
    | set(TEENS)
    | set(TENS)
    | set(WEEKDAYS)
)
_CONTRACTIONS = ("'s", "'m", "'ll", "'d", "'re", "'ve", "n't")  # "O'Brien" is a name, "it's" not
_MAX_WORDS = 2
# In a cased transcript a third capitalised word said with no pause is part of the name
# ("Hoang Minh Chau", "José Luis Ramírez"); lower-case ones give nothing to tell it by.
_MAX_WORDS_CASED = 3
# Lower-case parts of a surname ("Maria de la Cruz", "Ludwig van Beethoven"): kept as said,
# not counted among the name's words, and only between two of them.
PARTICLES = {"de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "van", "von",
              "der", "den", "ter", "ten", "bin", "ibn", "al", "el", "los", "las"}  # fmt: skip


def _is_name_word(raw: str, low: str, cased: bool) -> bool:
    if not raw.replace("'", "").isalpha() or low.endswith(_CONTRACTIONS):
        return False
    if len(low) < 2 or low in NOT_NAME_WORDS:
        return False
    # In a cased transcript a name is capitalised; "this is urgent" is not a name.
    return raw[0].isupper() if cased else True


def _title_case(word: str) -> str:
    if any(c.isupper() for c in word):
        return word  # keep the caller's own spelling ("McDonald")
    return "'".join(part[:1].upper() + part[1:] for part in word.split("'"))


# A name said before these introduces the caller ("Dana here", "Dana Whitaker calling
# from Northwind") when nothing but a greeting comes before it.
AFTER_NAME = ("here", "calling", "speaking")
_GREETINGS = {"hi", "hello", "hey", "yes", "yeah", "morning", "afternoon", "evening", "good",
              "um", "uh", "oh", "there", "so", "hiya", "g'day", "howdy"}  # fmt: skip


# How far into a voicemail an introduction whose cue was misheard is looked for.
_OPENING_TOKENS = 12
# A capitalised pair ending in one of these is a place ("42 Orchard Lane", "the Maple Street
# association"), not a person.
# ("Dr" and "St" are left out: a title, a saint.)
_STREET_WORDS = {"street", "road", "rd", "lane", "ln", "avenue", "ave", "drive", "court",
                 "ct", "way", "close", "place", "boulevard", "blvd", "terrace", "crescent",
                 "square", "parkway", "highway", "alley", "row", "gardens"}  # fmt: skip


def caller_name(tokens: Tokens) -> str | None:
    """The caller's name in title case, else None: after an introduction ("this is eric
    johnson", "my name is ...", "it's ...") or before one ("dana here", "dana calling");
    failing both, in a cased transcript, a capitalised first and last name in the opening
    words ("Hey, did Marcus Bell, the water heater..." where "it's" was misheard), or one
    signed off with, just before the number ("... right away. Jessica Moore, 615-908-2273")
    or after thanks ("Thanks again, Harold Finch."). A business's name is no one's."""
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
        return 0 <= j < len(tokens) and _is_name_word(tokens.raw[j], tokens.low[j], cased=True)

    return (
        capitalised(i)
        and capitalised(i + 1)
        and not (capitalised(i - 1) or capitalised(i + 2))
        and not {tokens.low[i], tokens.low[i + 1]} & _STREET_WORDS
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
        if _is_pair(tokens, i):
            return f"{tokens.raw[i]} {tokens.raw[i + 1]}"
    return None


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
    """Every name said before "here", "calling" or "speaking" with only a greeting before it."""
    for end, low in enumerate(tokens.low):
        if low not in AFTER_NAME:
            continue
        start, counted = end, 0
        while (
            start > 0
            and counted < _MAX_WORDS
            and _is_name_word(tokens.raw[start - 1], tokens.low[start - 1], tokens.cased)
        ):
            start -= 1
            while start > 0 and start in tokens.hyphened:
                start -= 1  # "Smith-Jones": one word of the name
            counted += 1
        if start == end or not all(word in _GREETINGS for word in tokens.low[:start]):
            continue
        yield _joined(tokens, start, end)


def _joined(tokens: Tokens, start: int, end: int) -> str:
    """Tokens ``start:end`` in title case, the ones written joined by a hyphen joined again
    ("Al-Masri", "Smith-Jones")."""
    text = ""
    for j in range(start, end):
        sep = "-" if j in tokens.hyphened and j > start else " " if j > start else ""
        text += sep + _title_case(tokens.raw[j])
    return text


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
        and _is_name_word(tokens.raw[after], tokens.low[after], cased=True)
    )


# How far past a name's words a business word is looked for.
_ORGANISATION_RUN = 6


def _organisation_from(tokens: Tokens, i: int) -> bool:
    """Whether the run of name words from token ``i`` on names a business, even past the
    words a name may have ("this is Westside Youth Soccer League")."""
    for j in range(i, min(len(tokens), i + _ORGANISATION_RUN)):
        if j > i and j in tokens.punctuated:
            break
        if not _is_name_word(tokens.raw[j], tokens.low[j], tokens.cased):
            break
        if tokens.low[j] in ORGANISATION_WORDS:
            return True
    return False


# Said just before a caller signs off with their name ("Thanks again, Harold Finch.").
THANKS = ("thanks", "thank you", "cheers", "many thanks")
THANKS_FILLERS = {"again", "so", "much", "very", "a", "lot", "bye"}


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
    words = name_from(tokens, i)
    return " ".join(words) if len([w for w in words if w not in PARTICLES]) >= 2 else None


def name_from(tokens: Tokens, i: int) -> list[str]:
    """Up to _MAX_WORDS name words from token ``i`` on (a third in a cased transcript), with
    the particles between them. In a cased transcript a name ends at punctuation, except
    where the caller said the first word again to give it whole ("it's Ravi, Ravi
    Chaudhary") or spelt it out before the surname ("Siddharth, S-I-D-D-H-A-R-T-H, Rao")."""
    words: list[str] = []
    counted = 0
    limit = _MAX_WORDS_CASED if tokens.cased else _MAX_WORDS
    spelt = False
    while i < len(tokens) and counted < limit:
        word = i  # the next name word, after any particles (none before the first word)
        while (
            counted
            and word < len(tokens)
            and tokens.low[word] in PARTICLES
            and word + 1 not in tokens.hyphened  # "Al-Masri" is one word, not "al" before one
        ):
            word += 1
        if word >= len(tokens) or (
            tokens.low[word] in PARTICLES and word + 1 not in tokens.hyphened
        ):
            break
        if not _is_name_word(tokens.raw[word], tokens.low[word], tokens.cased):
            break
        # A cased name ends at a pause, but for the first word said again whole, or the
        # surname after the first word's spelling ("Siddharth, S-I-D-D-H-A-R-T-H, Rao").
        if counted and tokens.cased and i in tokens.punctuated and not (spelt and counted == 1):
            if counted == 1 and tokens.low[word] == words[0].lower():
                words, counted = [], 0  # the name said again, whole this time
            else:
                break
        after = word + 1
        while after < len(tokens) and after in tokens.hyphened and tokens.raw[after].isalpha():
            after += 1
        words.extend(tokens.raw[i:word])
        i, spelling = _spelling(tokens, after, tokens.low[word])
        spelt = spelling is not None
        if spelling is not None and after == word + 1:
            words.append(_title_case(spelling))
        else:
            words.append(_joined(tokens, word, after))
        counted += 1
    return words


# Said between a name and its spelling ("Kim, that's K-I-M").
_BEFORE_SPELLING = {"that's", "spelled", "spelt", "it's", "that", "is"}
_MIN_SPELT = 3


def _spelling(tokens: Tokens, i: int, word: str) -> tuple[int, str | None]:
    """Where the letters of a spelling of ``word`` from token ``i`` on end, and the word as
    spelt, or (``i``, None) where none follows. A caller spells a name to be written right,
    so the spelling stands for the word where it sounds like it: Whisper wrote "Grace Cam,
    K.I.M." and "Bartos Novak, N-O-W-A-K" for Grace Kim and Bartosz Nowak (the spoken
    held-out half of written_callers.json), but not where it sounds like another word: its
    "Louis Armando, C-R-D-E-N-A-S" spelt Cárdenas, a third name it did not write."""
    start = i
    while start < len(tokens) and tokens.low[start] in _BEFORE_SPELLING:
        start += 1
    # Letters written joined ("K.I.M.", "N-O-W-A-K") end at the first written apart: the
    # "I" of "N-O-W-A-K. I rent the flat" is a word.
    joined = start + 1 in tokens.attached
    end = start
    while (
        end < len(tokens)
        and len(tokens.low[end]) == 1
        and tokens.low[end].isalpha()
        and (end == start or not joined or end in tokens.attached)
    ):
        end += 1
    spelt = "".join(tokens.low[start:end])
    if end - start < _MIN_SPELT:
        return i, None
    if (
        spelt != word
        and jellyfish.levenshtein_distance(jellyfish.metaphone(spelt), jellyfish.metaphone(word))
        > 1
    ):
        return i, None
    return end, spelt
