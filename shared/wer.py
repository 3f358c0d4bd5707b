"""Word error rate and word alignment between a reference and a transcription.

Both texts are compared as shared.wer_words makes them: normalised, a few written forms as
said, numbers as single digits, so that formatting differences between engines do not count
as errors. Alignments (a hybrid's disagreeing spans) compare the same way and show the words
as written.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from shared.wer_forms import DOCTOR_OR_DRIVE, Token, same_word
from shared.wer_words import _compared_tokens, compared_words

SpanOp = Literal["substitute", "insert", "delete"]

# Backtrace codes, small ints so the full table stays compact for long transcripts.
_MATCH, _SUB, _DEL, _INS = 0, 1, 2, 3


class Span(TypedDict):
    """A run of consecutive words on which reference and hypothesis disagree the same way."""

    op: SpanOp
    ref: list[str]
    hyp: list[str]
    ref_start: int
    hyp_start: int


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

    The texts are compared as for word error rate, so a difference of writing alone
    ("555-1234" and "5551234", "$5" and "five dollars") is no span; a span shows the words
    as written (``normalize``), whole. ``ref_start``/``hyp_start`` index those word lists;
    an insertion has no reference words and a deletion no hypothesis words.
    """
    ref_words, ref = _compared_tokens(reference)
    hyp_words, hyp = _compared_tokens(hypothesis)
    groups = _groups(ref, hyp, _alignment_ops([t[0] for t in ref], [t[0] for t in hyp]))
    spans: list[Span] = []
    for (ref_lo, ref_hi), (hyp_lo, hyp_hi), edited in groups:
        if not edited:
            continue
        said, heard = ref_words[ref_lo:ref_hi], hyp_words[hyp_lo:hyp_hi]
        name: SpanOp = "substitute" if said and heard else "delete" if said else "insert"
        last = spans[-1] if spans else None
        # Extend the previous span only when it is the same kind and directly adjacent.
        if (
            last is not None
            and last["op"] == name
            and last["ref_start"] + len(last["ref"]) == ref_lo
            and last["hyp_start"] + len(last["hyp"]) == hyp_lo
        ):
            last["ref"].extend(said)
            last["hyp"].extend(heard)
        else:
            spans.append(Span(op=name, ref=said, hyp=heard, ref_start=ref_lo, hyp_start=hyp_lo))
    return spans


_Group = tuple[tuple[int, int], tuple[int, int], bool]


def _groups(ref: list[Token], hyp: list[Token], ops: list[int]) -> list[_Group]:
    """The alignment as runs of whole words: the word ranges (end exclusive) of each side
    whose tokens the alignment ties together, and whether any of them differ. A word split
    in tokens ("5551234" in seven digits) stays one piece, with what it is aligned with."""

    def start(tokens: list[Token], index: int, words_done: int) -> int:
        return tokens[index][1] if index < len(tokens) else words_done

    groups: list[list[int]] = []  # ref lo, ref hi, hyp lo, hyp hi, edited
    i = j = ref_done = hyp_done = 0
    for op in ops:
        ref_lo, ref_hi = (
            (ref[i][1], ref[i][2] + 1) if op != _INS else (start(ref, i, ref_done),) * 2
        )
        hyp_lo, hyp_hi = (
            (hyp[j][1], hyp[j][2] + 1) if op != _DEL else (start(hyp, j, hyp_done),) * 2
        )
        last = groups[-1] if groups else None
        if last is not None and (ref_lo < last[1] or hyp_lo < last[3]):
            last[1], last[3] = max(last[1], ref_hi), max(last[3], hyp_hi)
            last[4] |= op != _MATCH
        else:
            groups.append([ref_lo, ref_hi, hyp_lo, hyp_hi, op != _MATCH])
        i += op != _INS
        j += op != _DEL
        ref_done, hyp_done = max(ref_done, ref_hi), max(hyp_done, hyp_hi)
    return [((a, b), (c, d), bool(e)) for a, b, c, d, e in groups]


def _distance(ref: list[str], hyp: list[str]) -> int:
    # Two rows suffice for the distance alone, keeping memory linear for long transcripts.
    previous = list(range(len(hyp) + 1))
    loose = DOCTOR_OR_DRIVE in ref or DOCTOR_OR_DRIVE in hyp
    for i, ref_word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, start=1):
            differs = ref_word != hyp_word and not (loose and same_word(ref_word, hyp_word))
            current[j] = min(
                previous[j - 1] + differs,
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
    loose = DOCTOR_OR_DRIVE in ref or DOCTOR_OR_DRIVE in hyp
    for i in range(1, n + 1):
        row = back[i]
        row[0] = _DEL
        current = [i * edit] + [0] * m
        ref_word = ref[i - 1]
        for j in range(1, m + 1):
            same = ref_word == hyp[j - 1] or (loose and same_word(ref_word, hyp[j - 1]))
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
