"""Every name a cue introduces, the caller's as the triage reads it first ("this is X", "my
name is X", "it's X", "X here", "X calling": ``shared.language.introductions``), every name
signed off with ("Thanks, X": ``shared.redaction.sign_offs``), every name said after a title
("Call Dr. Smith": ``shared.redaction.titled_names``), and every other place the transcript
says it."""

from __future__ import annotations

from shared.language.business_words import ORGANISATION_WORDS
from shared.language.dates import MONTHS, WEEKDAYS
from shared.language.greetings import in_greeting
from shared.language.introductions import introduced_names
from shared.language.known_names import is_ordinary_word, is_surname
from shared.language.name_words import NOT_NAME_WORDS, PARTICLES
from shared.language.tokens import find_phrase
from shared.redaction.sign_offs import signed_off_names
from shared.redaction.spans import Span
from shared.redaction.stream import Stream
from shared.redaction.titled_names import titled_names
from shared.redaction_policy import Entity

TITLES = frozenset({"dr", "doctor", "mr", "mister", "mrs", "ms", "miss"})
# Capitalised words said straight after a name that are not more of it.
_NOT_NAME_WORDS = frozenset({"i", *WEEKDAYS, *MONTHS})
# How many capitalised words past the reader's name are taken as more of it.
_MAX_EXTRA_WORDS = 2
# A surname said alone shorter than this is not looked for without a title before it.
MIN_SURNAME_CHARS = 3
# Words a verb or a modal opens a sentence before ("Hope you are well", "Will you call",
# "Hope to hear"); a name there is followed by a pause or by its own verb ("Hope, you
# there?", "Hope called").
_AFTER_AN_OPENING_VERB = frozenset(
    {"you", "you're", "you'll", "you've", "your", "we", "we're", "we'll", "i", "i'm",
     "i'll", "it", "it's", "they", "he", "she", "all", "everything", "everyone", "to"}
)  # fmt: skip


def said(part: str) -> list[str]:
    """The tokens a name word is in the stream: "mary-jane" is said "mary", "jane"."""
    return part.replace("-", " ").split()


def surnames(value: str) -> list[str]:
    """The words of a full name that are caught said alone besides its first name: every
    later word but a particle ("maria de la cruz" -> "cruz")."""
    parts = value.split()
    return [p for p in parts[1:] if p not in PARTICLES] if len(parts) > 1 else []


def _more_of_the_name(s: Stream, end: int, repeated: bool = False) -> int:
    """Where the name ending before token ``end`` really ends, in a cased transcript: the
    reader stops at a word that is also common English ("This is Nguyen Van An": "An"), but
    a capitalised word said straight on, with no pause, is more of the name. A name said
    again (``repeated``) is in running speech, where the capitalised word after it is as
    often the next sentence's ("Sam Please call me back", "Mark My Words"): there such a
    word ends it, as it ends a name at the introduction in the reader."""
    if not s.tokens.cased:
        return end
    extra, start = 0, end
    while end < len(s) and extra < _MAX_EXTRA_WORDS and end not in s.tokens.punctuated:
        raw = s.raw[end]
        if not raw.isalpha() or not raw[0].isupper() or s.low[end] in _NOT_NAME_WORDS:
            break
        if repeated and s.low[end] in NOT_NAME_WORDS:
            break
        end, extra = end + 1, extra + 1
    if repeated and _names_a_business(s, start):
        # "Abernathy Funeral Services", "Sam Rivera Plumbing": the name heads a business's
        # name, of which only a word the name lists know as a surname is more of the person's.
        end = start
        while end < start + extra and is_surname(s.low[end]):
            end += 1
    return end


def _names_a_business(s: Stream, start: int) -> bool:
    """Whether the capitalised words from token ``start`` (a few, unbroken by a pause) hold
    a word of a business's name."""
    for at in range(start, min(len(s), start + _MAX_EXTRA_WORDS + 1)):
        if at in s.tokens.punctuated or not s.raw[at][:1].isupper():
            return False
        if s.low[at] in ORGANISATION_WORDS:
            return True
    return False


def opening_verb(s: Stream, at: int) -> bool:
    """Whether the word at token ``at`` opens its sentence as a verb ("Hope you are well"):
    an everyday word, first in its sentence, so capitalised whatever it is, and straight
    before a pronoun or "to". A name that is no such word is the name there ("Maria to call
    back", "Sarah it's urgent")."""
    first = at == 0 or at in s.tokens.sentence_starts
    after = at + 1
    return (
        first
        and is_ordinary_word(s.low[at])
        and after < len(s)
        and after not in s.tokens.punctuated
        and s.low[after] in _AFTER_AN_OPENING_VERB
    )


def find_person_names(s: Stream, region: str) -> list[Span]:
    taken: set[int] = set()
    spans: list[Span] = []
    named = [*introduced_names(s.tokens), *signed_off_names(s.tokens), *titled_names(s.tokens)]
    for name in dict.fromkeys(named):
        spans += _name_spans(s, name, taken)
    return sorted(spans, key=lambda span: span.start)


def _name_spans(s: Stream, name: str, taken: set[int]) -> list[Span]:
    """Where ``name`` is said, but for the tokens in ``taken`` (another name's), which it
    adds to."""
    # The reader title-cases and may add a title ("Dr. Smith"); the words are what was said.
    parts = [p.lower() for p in name.split() if p.rstrip(".").lower() not in TITLES]
    if not parts:
        return []
    whole = [t for p in parts for t in said(p)]
    at = find_phrase(s.low, " ".join(whole))
    if at:
        end = _more_of_the_name(s, at[0] + len(whole))
        parts += [s.low[j] for j in range(at[0] + len(whole), end)]
        whole = [t for p in parts for t in said(p)]
    value = " ".join(parts)
    # The whole name wherever it is said, and its first name said alone later ("... it's
    # maria again"). A found full name's surname said alone is the value repeated too ("Ask
    # for Mr Alvarez"), but a surname is often an ordinary word ("park", "white"), so alone it
    # is caught only after a title or, in a cased transcript, written capitalised.
    # A first name the transcript wrote capitalised is, written lower-case, the ordinary
    # word it may also be ("This is Will Turner, I will call"); one it wrote lower-case
    # ("this is john smith") is the name however it is written.
    capitalised = bool(at) and s.tokens.cased and s.raw[at[0]][:1].isupper()
    phrases = [(whole, False), (said(parts[0]), False)] if len(parts) > 1 else [(whole, False)]
    phrases += [(said(p), True) for p in surnames(value)]
    spans: list[Span] = []
    for n, (words, alone) in enumerate(phrases):
        size = len(words)
        for first in find_phrase(s.low, " ".join(words)):
            if any(j in taken for j in range(first, first + size)):
                continue
            lone_first = n == 1 or (len(parts) == 1 and bool(at) and first != at[0])
            if lone_first and capitalised and not s.raw[first][:1].isupper():
                continue
            if lone_first and in_greeting(s.tokens, first):
                continue  # Eve Adams' first name in "Merry Christmas Eve" is the day's
            titled = first > 0 and s.low[first - 1] in TITLES
            if size == 1 and not titled and opening_verb(s, first):
                continue  # "Hope you are well, Hope here": the first is the verb
            if alone and not titled and not (s.tokens.cased and s.raw[first][0].isupper()):
                continue
            if alone and not titled and len("".join(words)) < MIN_SURNAME_CHARS:
                continue
            # Said again in full after being introduced by one name ("This is Sam ...,
            # Sam Jones"), the words straight after it are more of it, as at the introduction.
            again = not alone and not (at and first == at[0])  # the introduction has its own
            stop = _more_of_the_name(s, first + size, repeated=True) if again else first + size
            taken.update(range(first, stop))
            start, end = s.chars(first - 1 if titled else first, stop)
            spans.append(Span(Entity.PERSON_NAME, start, end, value))
    return spans
