"""Names said after a title anywhere in a cased transcript ("Call Dr. Smith tomorrow", "ask
for Mrs. Alvarez"), for redaction: a person other than the caller is as much a person to
redact, and a title before a capitalised word is said of people alone.

The abbreviations (Dr, Mr, Mrs, Ms) are titles however they are written; "Doctor", "Mister"
and "Miss" only written capitalised within a sentence, since lower-case they are everyday
words too ("the doctor Monday", "I'll miss Christmas"). The name is read with the triage's
own reader, so a title before a word no name holds ("Dr. Appointment" is no reading) or a
business's name ("Dr. Smith Dental") gives nothing.
"""

from __future__ import annotations

from shared.language.known_names import is_ordinary_word, is_surname
from shared.language.name_reader import name_from
from shared.language.name_words import TITLES
from shared.language.names import personal
from shared.language.tokens import Tokens

_ABBREVIATED = frozenset({"dr", "mr", "mrs", "ms"})


def titled_names(tokens: Tokens) -> list[str]:
    """Every name said straight after a title, with its title, as the triage writes it."""
    if not tokens.cased:
        return []
    found: list[str] = []
    for i, low in enumerate(tokens.low[:-1]):
        # A title's own full stop is no pause (shared.language.tokens): "Dr. Smith".
        if low not in TITLES or (i + 1 in tokens.punctuated and not _doctor_first(tokens, i)):
            continue
        if low not in _ABBREVIATED and not tokens.raw[i][:1].isupper():
            continue
        words = name_from(tokens, i + 1)
        if len(words) == 1 and is_ordinary_word(words[0]) and not is_surname(words[0]):
            continue  # "Tell Mr. Right": an everyday word no surname list holds
        if words and personal(" ".join(words)):
            found.append(" ".join([TITLES[low], *words]))
    return found


def _doctor_first(tokens: Tokens, i: int) -> bool:
    """Whether the "Dr." at ``i`` follows a sentence's first word ("Call Dr. Smith"): the
    tokens read a "Dr." after a capitalised word as a street's, the sentence ending there
    ("Oak Dr. Call me"), but a sentence's first word is capitalised as a sentence starts.
    (A street's "Dr." there is followed by a sentence's first word, which no name reading
    takes as a name: "Elm Dr. Call me" gives none.)"""
    word = i - 1
    first = word == 0 or word in tokens.sentence_starts
    return tokens.low[i] == "dr" and first and tokens.raw[i + 1][:1].isupper()
