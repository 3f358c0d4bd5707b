"""Which characters of a transcript's text each of its words is.

Engines give ``text`` and ``words`` that differ in case and punctuation ("Hello," vs "hello")
and now and then in content (a number written in the text, spelled in the words). Words are
matched on their letters and digits alone, each searched for a little ahead of the last
match, so a word missing from the text costs only itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.models import Word

_LOOKAHEAD = 64  # characters of text skipped at most to find the next word


def _folded(text: str) -> tuple[str, list[int]]:
    """Lower-cased letters and digits of ``text``, with each one's offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text):
        if char.isalnum():
            chars.append(char.lower())
            offsets.append(i)
    return "".join(chars), offsets


def word_ranges(text: str, words: Sequence[str]) -> list[tuple[int, int] | None]:
    """``(start, end)`` in ``text`` of each word, None for a word the text does not have."""
    folded, offsets = _folded(text)
    out: list[tuple[int, int] | None] = []
    at = 0
    for word in words:
        needle = "".join(c.lower() for c in word if c.isalnum())
        found = folded.find(needle, at, at + _LOOKAHEAD + len(needle)) if needle else -1
        if found < 0:
            out.append(None)
            continue
        out.append((offsets[found], offsets[found + len(needle) - 1] + 1))
        at = found + len(needle)
    return out


def joined(words: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The words as one text, with each word's range in it."""
    ranges: list[tuple[int, int]] = []
    at = 0
    for word in words:
        ranges.append((at, at + len(word)))
        at += len(word) + 1
    return " ".join(words), ranges


def groups(
    ranges: Sequence[tuple[int, int] | None], spans: Sequence[tuple[int, int]]
) -> list[int | None]:
    """For each word, the index of the span (sorted, not overlapping) its text range falls
    in. A word the text lacks, between two words of one span, belongs to it too (a number
    written in the text and spelled in the words)."""
    out: list[int | None] = []
    k = 0
    for rng in ranges:
        hit = None
        if rng is not None:
            while k < len(spans) and spans[k][1] <= rng[0]:
                k += 1
            if k < len(spans) and spans[k][0] < rng[1]:
                hit = k
        out.append(hit)
    for i in range(1, len(out) - 1):
        if out[i] is None and ranges[i] is None and out[i - 1] is not None:
            after = next((g for g in out[i + 1 :] if g is not None), None)
            if after == out[i - 1]:
                out[i] = after
    return out


def collapse(
    words: Sequence[Word], group: Sequence[int | None], tokens: Sequence[str]
) -> tuple[list[Word], list[tuple[float, float]]]:
    """Each run of words of one group becomes one word, its token, from the first word's
    start to the last word's end, so captions keep their timing; and the seconds each run
    was spoken in (pauses inside a run included), merged, for the audio."""
    out: list[Word] = []
    runs: list[list[float]] = []
    for i, word in enumerate(words):
        g = group[i]
        if g is None:
            out.append(word)
            continue
        if i > 0 and group[i - 1] == g:
            end = word.end_s if word.end_s is not None else out[-1].end_s
            out[-1] = out[-1].model_copy(
                update={"end_s": end, "word": _ending(tokens[g], word.word)}
            )
        else:
            out.append(word.model_copy(update={"word": _ending(tokens[g], word.word)}))
            runs.append([])
        if word.start_s is not None and word.end_s is not None:
            runs[-1] += [word.start_s, word.end_s]
    return out, merge([(min(run), max(run)) for run in runs if run])


def merge(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _ending(token: str, word: str) -> str:
    # A sentence's full stop stays, so captions still break where the sentence ended.
    return token + word[len(word.rstrip(".?!,;:…")) :]
