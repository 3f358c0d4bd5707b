"""Where a caption cue may end: after a word that ends its sentence (shared.transcript_formats).

A full stop ends no sentence after a title or an initial, and after some abbreviations only
sometimes: these are judged by the words either side. Faker's given names (known_names) tell
"Anna St. Clair" from "Main St." and "Anna J. So" from "Plan B. So"."""

from __future__ import annotations

from shared.language import known_names
from shared.language.dates import MONTHS, WEEKDAYS

# The full stop, question and exclamation marks of Chinese and Japanese too.
SENTENCE_END = (".", "?", "!", "…", "\u3002", "\uff1f", "\uff01")
# Full stops that end no sentence: a title before a name, an initial ("Anna J. Lee"). A cue
# cut there shows "And Mr." alone and the name in the next.
_TITLES = frozenset(["mr.", "mrs.", "ms.", "dr.", "prof.", "capt.", "sgt.", "mt."])
# Words before a street's name: "at 5 Elm Dr.", "on Oak Tree Dr." make "Dr." Drive.
_AT_PLACE = frozenset(["on", "at", "off", "near", "onto", "along", "via"])
# Abbreviations always followed by more of their sentence.
_NEVER_LAST = frozenset(["vs.", "e.g.", "i.e."])
# Abbreviations that end a sentence only sometimes: "Main St. Call me" and "St. Louis",
# "John Smith Jr. Please call" and "King Jr. Boulevard", "etc. Then" and "etc. and".
_MAY_END = frozenset(["jr.", "sr.", "st.", "etc.", "a.m.", "p.m."])
# Words that make "Jr.", "Sr." or "St." part of a name: "Martin Luther King Jr. Boulevard".
_NAMED_AFTER = frozenset(
    [
        "boulevard",
        "blvd",
        "avenue",
        "ave",
        "street",
        "road",
        "rd",
        "drive",
        "way",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "place",
        "lane",
        "court",
        "square",
        "plaza",
        "bridge",
        "park",
        "center",
        "centre",
        "hospital",
        "school",
        "high",
        "elementary",
        "middle",
        "academy",
        "college",
        "university",
        "library",
        "airport",
        "station",
        "memorial",
        "day",
        "church",
        "cathedral",
        "expressway",
        "freeway",
        "terrace",
        "circle",
        "trail",
    ]
)
# Words that open sentences and are in none of Faker's surname lists: after "Plan B."
# or "Anna St." they start the next sentence, where a name would go on with this one.
_OPENER_WORDS = """
    i i'm i'll i've i'd we we're we'll we've you you're you'll he he's she she's it it's they
    they're they'll this that there there's these those my our your the so but and then also
    anyway okay ok yes yeah no oh hi hello hey bye thanks thank sorry please if or because
    just now call give let let's talk text send tell ask see bring get have do don't can could
    would should is are was what when where why how who
"""
_OPENERS = frozenset(_OPENER_WORDS.split())
# Verbs and "than" after which "I." is the pronoun ending its clause: "did I.", "than I.".
_PRONOUN_AFTER = (
    "am was were did do does have had can could will would shall should must might than"
)
_BEFORE_PRONOUN = frozenset(_PRONOUN_AFTER.split())
_OPENING = "\"'(\u201c\u2018"


def _bare(word: str) -> str:
    return word.lstrip(_OPENING).lower()


def _capitalised(word: str | None) -> bool:
    return word is not None and word.lstrip(_OPENING)[:1].isupper()


def _opener(word: str | None) -> bool:
    """Whether ``word`` is capitalised and one that opens sentences, not a name."""
    bare = _bare(word or "").replace("\u2019", "'").rstrip(".,;:!?")
    return _capitalised(word) and bare in _OPENERS


def _initial(word: str | None) -> bool:
    shown = (word or "").lstrip(_OPENING)
    return len(shown) == 2 and shown[0].isupper() and shown[1] == "."


def _initial_ends(word: str, before: str | None, after: str | None) -> bool:
    """Whether a capital and its full stop end a sentence rather than stand for a name.
    An initial follows a given name, a title or another initial and goes on to a surname
    ("Anna J. Lee", "Dr. J. Lee", "J. R. Ewing"); "I." after a verb is the pronoun ("did I.
    So"), and "B." before a word that opens sentences ends one ("Plan B. Call me")."""
    # A capitalised "Will I." or "May I." is more likely a name and its initial.
    if word.lstrip(_OPENING) == "I." and before in _BEFORE_PRONOUN:
        return True
    if before is None or not _opener(after):
        return False
    named = _initial(before) or _bare(before) in _TITLES
    return not (named or known_names.is_given_name(_bare(before).rstrip(".,;:!?")))


def _opens_sentence(earlier: list[str]) -> bool:
    """Whether a word after ``earlier`` (the words before it) is first in its sentence."""
    return not earlier or earlier[-1].endswith(SENTENCE_END)


def _drive(earlier: list[str]) -> bool:
    """Whether "Dr." after ``earlier`` is Drive: after a capitalised name of up to three words
    that a house number or a word such as "on" leads to ("5 Elm Dr.", "on Oak Tree Dr."). A
    title's name has neither before it: "Hi Anna, Dr. Lee", "Good Morning Dr. Smith". A day
    or a month is no street's: "on Monday Dr. Lee" is the title."""
    name = 0
    while name < 3 and name < len(earlier):
        shown = earlier[-1 - name].lstrip(_OPENING)
        if not (shown[:1].isupper() and shown.replace("'", "").replace("-", "").isalpha()):
            break
        if shown.lower() in WEEKDAYS or shown.lower() in MONTHS:
            return False
        name += 1
    if not name or name == len(earlier):
        return False
    lead = earlier[-1 - name]
    return any(c.isdigit() for c in lead) or lead.lower() in _AT_PLACE


def _ends_sentence(word: str, earlier: list[str], after: str | None) -> bool:
    """Whether ``word``'s mark ends its sentence, judged by the words before it and the one
    after (None at the end). A cue ends there; where it is unsure, an abbreviation's full
    stop ends one only before a capitalised word, as a sentence's next word is."""
    if not word.endswith(SENTENCE_END):
        return False
    before = earlier[-1] if earlier else None
    if _initial(word):
        return _initial_ends(word, before, after)
    bare = word.lstrip(_OPENING).lower()
    if bare == "dr." and _capitalised(after) and _drive(earlier):
        return True  # "5 Elm Dr. Call me"
    if bare in _TITLES or (bare in _NEVER_LAST and after is not None):
        return False
    if bare not in _MAY_END or after is None:
        return True
    if not _capitalised(after):
        return False  # "etc. and", "5 p.m. tomorrow", "Elm St. near"
    if bare in ("jr.", "sr.", "st.") and _bare(after).rstrip(".,;:!?") in _NAMED_AFTER:
        return False
    # "St." after a name is a street's ("Main St."), after any other word, or first in its
    # sentence, a saint's ("to St. Louis"). A sentence's first word is capitalised whatever
    # it is, so it names no street: "Visit St. Louis".
    street = _capitalised(before) and not _opens_sentence(earlier[:-1])
    if bare != "st.":
        return True
    if not street or str(before).endswith(SENTENCE_END):
        return False
    # After a given name and before a name, "St." is a surname's: "Anna St. Clair calling".
    return _opener(after) or not known_names.is_given_name(_bare(str(before)))


def sentence_ends(words: list[str]) -> list[bool]:
    """For each word, whether its sentence ends with it."""
    return [
        # Four words back are enough for a street's name and what leads to it.
        _ends_sentence(word, words[max(i - 4, 0) : i], words[i + 1] if i + 1 < len(words) else None)
        for i, word in enumerate(words)
    ]
