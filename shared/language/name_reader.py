"""A name's words read from one token on: joined where written joined, spelt where spelt."""

from __future__ import annotations

import jellyfish

from shared.language.name_words import PARTICLES, is_name_word, title_case
from shared.language.tokens import Tokens

MAX_WORDS = 2
# In a cased transcript a third capitalised word said with no pause is part of the name
# ("Hoang Minh Chau", "José Luis Ramírez"); lower-case ones give nothing to tell it by.
_MAX_WORDS_CASED = 3


def joined(tokens: Tokens, start: int, end: int) -> str:
    """Tokens ``start:end`` in title case, the ones written joined by a hyphen joined again
    ("Al-Masri", "Smith-Jones")."""
    text = ""
    for j in range(start, end):
        sep = "-" if j in tokens.hyphened and j > start else " " if j > start else ""
        text += sep + title_case(tokens.raw[j])
    return text


def name_from(tokens: Tokens, i: int) -> list[str]:
    """Up to MAX_WORDS name words from token ``i`` on (a third in a cased transcript), with
    the particles between them. In a cased transcript a name ends at punctuation, except
    where the caller said the first word again to give it whole ("it's Ravi, Ravi
    Chaudhary") or spelt it out before the surname ("Siddharth, S-I-D-D-H-A-R-T-H, Rao")."""
    words: list[str] = []
    counted = 0
    limit = _MAX_WORDS_CASED if tokens.cased else MAX_WORDS
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
        if not is_name_word(tokens.raw[word], tokens.low[word], tokens.cased):
            break
        # A lower-case transcript's punctuation marks no pause within a name, but a sentence's
        # end still ends one ("this is john. smith called earlier").
        if (
            counted
            and not tokens.cased
            and any(j in tokens.sentence_starts for j in range(i, word + 1))
        ):
            break
        # A cased name ends at a pause, but for the first word said again whole, or the
        # surname after the first word's spelling ("Siddharth, S-I-D-D-H-A-R-T-H, Rao"): after
        # a sentence's end only where the spelling's letters are written with stops, the last
        # of them its own ("Kim, K.I.M. Rao"; "Kim, K-I-M. Grace period ends" is two sentences).
        past_spelling = spelt and counted == 1
        if past_spelling and i in tokens.sentence_starts and not _dotted(tokens, i):
            past_spelling = False
        if past_spelling and i in tokens.sentence_starts and not _name_ends(tokens, word + 1):
            # "Kim, K.I.M. Grace period is over": a sentence that goes on from the word.
            past_spelling = False
        if counted == 1 and not tokens.cased and tokens.low[word] == words[0].lower():
            words, counted = [], 0  # "it's grace, grace miller": the name said again, whole
        elif counted and tokens.cased and i in tokens.punctuated and not past_spelling:
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
            words.append(title_case(spelling))
        else:
            words.append(joined(tokens, word, after))
        counted += 1
    return words


def _dotted(tokens: Tokens, end: int) -> bool:
    """Whether the spelt letters ending before token ``end`` are written with stops
    ("K.I.M."): joined to each other by neither a space nor a hyphen."""
    last = end - 1
    return last in tokens.attached and last not in tokens.hyphened


# Said straight after a name, these go on from it as a name ("K.I.M. Rao calling").
_AFTER_A_NAME = {"here", "calling", "speaking", "from", "of", "with", "at", "again"}


def _name_ends(tokens: Tokens, after: int) -> bool:
    """Whether a name may end before token ``after``: at the end, a pause, or a word that
    goes on from a name; a sentence going on from the word, lower-case and with no pause
    ("Grace period is over"), makes it the sentence's own word."""
    if after >= len(tokens) or after in tokens.punctuated:
        return True
    raw = tokens.raw[after]
    return not (raw[:1].islower() and raw.isalpha()) or tokens.low[after] in _AFTER_A_NAME


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
