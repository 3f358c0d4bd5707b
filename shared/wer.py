"""Word error rate and word alignment between a reference and a transcription.

Both texts are normalised the same way first (lower-case, punctuation dropped, apostrophes
kept inside words) so that formatting differences between engines do not count as errors;
for the error rate, numbers are compared as digits too. Alignments keep the words as said.

Numbers: one engine writes "415-867-2291" or "10 of clubs", another "four one five" or "ten
of clubs", and a reference may be either. As Whisper's evaluation normaliser does, spoken
numbers are rewritten as digits; then every digit string is split into single digits, so
"ten" and "10" are both "1 0", "double five" and "55" both "5 5", and a misheard digit in a
phone number costs one error, not the whole number.
"""

from __future__ import annotations

import re
from typing import Literal, TypedDict

SpanOp = Literal["substitute", "insert", "delete"]

# Letters and digits of any script, optionally joined by inner apostrophes ("don't",
# "o'clock"); everything else separates words, so "ill-disposed" counts as two words,
# matching how reference transcripts are usually written.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Typographic apostrophes (U+2019 and kin) would otherwise split a word like "don't" in two.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

# Backtrace codes, small ints so the full table stays compact for long transcripts.
_MATCH, _SUB, _DEL, _INS = 0, 1, 2, 3


class Span(TypedDict):
    """A run of consecutive words on which reference and hypothesis disagree the same way."""

    op: SpanOp
    ref: list[str]
    hyp: list[str]
    ref_start: int
    hyp_start: int


_UNIT_WORDS = "zero one two three four five six seven eight nine"
_TEEN_WORDS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_UNITS = {word: str(value) for value, word in enumerate(_UNIT_WORDS.split())}
_TEENS = {word: str(value + 10) for value, word in enumerate(_TEEN_WORDS.split())}
_TENS = {word: str(value + 2) for value, word in enumerate(_TENS_WORDS.split())}
_REPEATS = {"double": 2, "triple": 3}


def _numbers_as_digits(words: list[str]) -> list[str]:
    """``words`` with spoken numbers as digit strings, every digit string split in digits."""
    spoken: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in _REPEATS and (following in _UNITS or following == "oh"):
            spoken.extend([_UNITS.get(following, "0")] * _REPEATS[word])
            i += 2
        elif word in _TENS:
            spoken.append(_TENS[word] + _UNITS.get(following, "0"))
            i += 2 if following in _UNITS and following != "zero" else 1
        elif word == "hundred" and spoken and spoken[-1].isdigit() and len(spoken[-1]) == 1:
            spoken[-1] += "00"
            i += 1
        else:
            spoken.append(_UNITS.get(word) or _TEENS.get(word) or word)
            i += 1
    digits: list[str] = []
    for index, word in enumerate(spoken):
        # "oh" is a zero only among digits ("two oh six"), not as an exclamation.
        if word == "oh" and any(
            0 <= j < len(spoken) and spoken[j].isdigit() for j in (index - 1, index + 1)
        ):
            word = "0"
        digits.extend(word if word.isdigit() else (word,))
    return digits


def normalize(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without punctuation: what alignments show."""
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def compared_words(text: str) -> list[str]:
    """The words of ``text`` as compared for word error rate: numbers as single digits."""
    return _numbers_as_digits(normalize(text))


def edit_distance(reference: str, hypothesis: str) -> int:
    """Word-level Levenshtein distance (substitutions + insertions + deletions)."""
    return _distance(compared_words(reference), compared_words(hypothesis))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word edits needed to turn the hypothesis into the reference, per reference word.

    Can exceed 1.0 when the hypothesis has many extra words. An empty reference gives 0.0
    for an empty hypothesis and 1.0 otherwise, since there is no word count to divide by.
    """
    ref = compared_words(reference)
    hyp = compared_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return _distance(ref, hyp) / len(ref)


def alignment_spans(reference: str, hypothesis: str) -> list[Span]:
    """The places where the hypothesis differs from the reference, in reading order.

    ``ref_start``/``hyp_start`` index the normalised word lists; an insertion has no
    reference words and a deletion no hypothesis words.
    """
    ref = normalize(reference)
    hyp = normalize(hypothesis)
    ops = _alignment_ops(ref, hyp)

    spans: list[Span] = []
    i = j = 0
    for op in ops:
        if op == _MATCH:
            i += 1
            j += 1
            continue
        name: SpanOp = "substitute" if op == _SUB else "delete" if op == _DEL else "insert"
        last = spans[-1] if spans else None
        # Extend the previous span only when it is the same kind and directly adjacent.
        if (
            last is None
            or last["op"] != name
            or last["ref_start"] + len(last["ref"]) != i
            or last["hyp_start"] + len(last["hyp"]) != j
        ):
            last = Span(op=name, ref=[], hyp=[], ref_start=i, hyp_start=j)
            spans.append(last)
        if op in (_SUB, _DEL):
            last["ref"].append(ref[i])
            i += 1
        if op in (_SUB, _INS):
            last["hyp"].append(hyp[j])
            j += 1
    return spans


def _distance(ref: list[str], hyp: list[str]) -> int:
    # Two rows suffice for the distance alone, keeping memory linear for long transcripts.
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, start=1):
            current[j] = min(
                previous[j - 1] + (ref_word != hyp_word),
                previous[j] + 1,
                current[j - 1] + 1,
            )
        previous = current
    return previous[-1]


def _alignment_ops(ref: list[str], hyp: list[str]) -> list[int]:
    n, m = len(ref), len(hyp)
    # Among the alignments with the fewest edits, prefer the one with the most matching words
    # ("d e" -> "e f" reads as delete d, keep e, insert f rather than two substitutions).
    # An edit costs more than any number of matches can earn back, so the edit count stays
    # the Levenshtein distance.
    edit = min(n, m) + 1
    cost = [j * edit for j in range(m + 1)]
    # One bytearray per row: the backtrace needs the whole table, at one byte per cell.
    back = [bytearray([_INS]) * (m + 1) for _ in range(n + 1)]
    back[0][0] = _MATCH
    for i in range(1, n + 1):
        row = back[i]
        row[0] = _DEL
        current = [i * edit] + [0] * m
        ref_word = ref[i - 1]
        for j in range(1, m + 1):
            same = ref_word == hyp[j - 1]
            diagonal = cost[j - 1] + (-1 if same else edit)
            delete = cost[j] + edit
            insert = current[j - 1] + edit
            if diagonal <= delete and diagonal <= insert:
                current[j] = diagonal
                row[j] = _MATCH if same else _SUB
            elif delete <= insert:
                current[j] = delete
                row[j] = _DEL
            else:
                current[j] = insert
                row[j] = _INS
        cost = current

    ops: list[int] = []
    i, j = n, m
    while i > 0 or j > 0:
        op = back[i][j]
        ops.append(op)
        if op in (_MATCH, _SUB):
            i -= 1
            j -= 1
        elif op == _DEL:
            i -= 1
        else:
            j -= 1
    ops.reverse()
    return ops
