"""A caller's name the engine wrote as no known name, weighed against the names it sounds like.

Whisper knows common words better than names, and spells a name it does not know by its
sounds: "Atmet Siddiqui" for Ahmed Siddiqui, "Griggus" for Briggs, "Fuster" for Foster. So
each word of the caller's name (found as the triage finds it, ``shared.language.names``)
that is no known given name or surname is given the known names that sound like it
(``shared.language.sounds_like``), and the engine scores its own text with each in its
place, over the same audio (``Scorer``). A candidate replaces the word where the engine finds
it at most ``MARGIN_NATS`` less likely than what it wrote: among names that fit the sound
about as well, a known name is the better bet. Where the second engine heard a known name
instead, the triage takes that one (``named_by_other_hearing``) and nothing is weighed.

The margin was chosen from the best candidate of every name weighed on the three spoken sets
(our 36 voicemails, and 70 spoken from written.json with tests/quality/speak_written.py):
within 1 nat were five right names (+0.81 Carlos, +0.45 Ahmed, +0.34 Foster, -0.10 Nina,
-0.89 Briggs) and two wrong ones for words that were wrong already (+1.82 "Mangan" for
Amangan where Mendez was said, -0.95 "Tony" for Sony where Sophie was said); the nearest
right name that a wider margin would have changed was 2.18 nats away (Petrova -> Petrov),
then 5.66 (Yuki -> Yuri) and 6.76 (Chu -> Chen). Scored texts end a few words after the
name: what comes later says nothing of it and only adds to the cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from shared.language.name_hearings import choose_caller_name
from shared.language.name_words import PARTICLES, TITLES
from shared.language.names import caller_name
from shared.language.sounds_like import Role, known, names_like
from shared.language.tokens import tokenize
from shared.models import Word

# Where a transcript's details list the names rewritten: its keys are the redaction's
# (shared.redaction.apply.TRANSCRIPT_NAME_FIELDS).
DETAILS_KEY = "caller_name_rescored"
# Texts -> their log-probability under the engine, given the audio it heard them in.
Scorer = Callable[[list[str]], list[float]]

MARGIN_NATS = 1.0
_WORDS_AFTER_NAME = 4
# "Siddiqui," -> ("", "Siddiqui", ","): a name is replaced, its punctuation kept.
_PARTS = re.compile(r"^(\W*)([\w']+)(.*)$")


def named_by_other_hearing(text: str, other: str) -> bool:
    """Whether another engine's hearing of the recording (``other``) already gives the triage
    a known name where ``text``'s is none (``shared.language.name_hearings``): the word it
    heard, not a guess from the lists, is then taken. On the 40 voicemails spoken from
    written.json w01-w40, Whisper's "Sony Turner" would have become "Tony Turner" here, where
    Moonshine had heard Sophie Turner. It costs one there too: Moonshine's "Carlo" stands
    where the lists would have made Whisper's "Carlok" Carlos, which was said."""
    first = caller_name(tokenize(text))
    return choose_caller_name(first, caller_name(tokenize(other))) != first


@dataclass(frozen=True)
class _NameWord:
    index: int
    role: Role


def rescore_caller_name(
    words: list[Word], score: Scorer, until_s: float
) -> tuple[list[Word], list[dict[str, object]]]:
    """``words`` with any doubtful word of the caller's name replaced by the known name the
    engine finds as likely, and what was replaced. ``score`` hears the audio up to
    ``until_s`` (the engine's window), so a name heard later is left as it is."""
    doubtful = [w for w in _name_words(words) if not known(_bare(words[w.index].word), w.role)]
    if not doubtful:
        return words, []
    last = max(w.index for w in doubtful)
    end = min(len(words), last + 1 + _WORDS_AFTER_NAME)
    while end > last + 1 and (words[end - 1].end_s or 0.0) > until_s:
        end -= 1
    if (words[last].end_s or 0.0) > until_s:
        return words, []
    written = [word.word for word in words[:end]]
    changes: list[dict[str, object]] = []
    for name_word in doubtful:
        heard = written[name_word.index]
        candidates = names_like(_bare(heard), name_word.role)
        if not candidates:
            continue
        variants = [_respelled(heard, name) for name in candidates]
        texts = [" ".join(written)] + [
            " ".join([*written[: name_word.index], variant, *written[name_word.index + 1 :]])
            for variant in variants
        ]
        scores = score(texts)
        best = max(range(1, len(texts)), key=scores.__getitem__)
        gap = scores[best] - scores[0]
        if gap >= -MARGIN_NATS:
            written[name_word.index] = variants[best - 1]
            changes.append(
                {
                    "heard_name": _bare(heard),
                    "written_name": candidates[best - 1],
                    "nats": round(gap, 2),
                }
            )
    if not changes:
        return words, []
    rescored = [
        word.model_copy(update={"word": written[i]}) if i < end else word
        for i, word in enumerate(words)
    ]
    return rescored, changes


def _name_words(words: list[Word]) -> list[_NameWord]:
    """Where the caller's name stands among ``words``, each name word with its role."""
    name = caller_name(tokenize(" ".join(word.word for word in words)))
    if name is None:
        return []
    parts = [_bare(part).lower() for part in name.split()]
    # A written title, bared and lowered ("Dr." -> "dr"), is one of the spoken forms.
    titled = parts[0] in TITLES
    if titled:
        parts = parts[1:]
    bare = [_bare(word.word).lower() for word in words]
    start = next(
        (i for i in range(len(bare) - len(parts) + 1) if bare[i : i + len(parts)] == parts),
        None,
    )
    if start is None or not parts:
        return []
    # Particles ("de", "van") stand between a name's words and are no name of their own.
    indices = [start + k for k, part in enumerate(parts) if part not in PARTICLES]
    if not indices:
        return []
    if len(indices) == 1:
        return [_NameWord(indices[0], "surname" if titled else "either")]
    return [_NameWord(indices[0], "given"), _NameWord(indices[-1], "surname")]


def _bare(word: str) -> str:
    match = _PARTS.match(word)
    return match.group(2) if match else word


def _respelled(word: str, name: str) -> str:
    match = _PARTS.match(word)
    return f"{match.group(1)}{name}{match.group(3)}" if match else name
