"""Redaction of an upload's file name: voicemail systems name a recording after the caller
("vm_+14155552671_Maria_Lopez.wav", "from 415-555-2671.wav"), and the name is kept in the
job's input, its ``source`` and the batch exports."""

from __future__ import annotations

import re

from shared.language.dates import MONTHS, WEEKDAYS
from shared.language.known_names import is_given_name, is_surname
from shared.redaction.apply import Key, render
from shared.redaction.detect import TOKEN, find_spans
from shared.redaction.spans import Span, resolve
from shared.redaction_policy import Entity, RedactionPolicy

# What a file name's extension looks like ("wav", "mp3", "m4a"): kept, so it is still known
# what the file was. A longer "extension" is more of the name ("Maria.Lopez").
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
# Words, each with its offset; the separators of a file name ("_", "-", ".") split them.
_WORD = re.compile(r"[^\W\d_]+")
_JOINED_BY = re.compile(r"[ _.\-]")  # between two words of one name: "Maria_Lopez"
# A file name has no "this is" to find a name by, so a word is taken for a name when the
# known-name lists hold it as a given name or a surname. That also takes some ordinary words
# ("Park", "Will"), which in a file name costs only a less telling name; months and weekdays
# are the common ones in dated file names ("June 3 message.wav") and are kept. Two-letter
# words ("Al", "Jo", "vm") are too often something else.
_NOT_NAMES = frozenset({*MONTHS, *WEEKDAYS})
_MIN_NAME_CHARS = 3


def _name_spans(stem: str) -> list[Span]:
    tokens = [range(m.start(), m.end()) for m in TOKEN.finditer(stem)]
    words = [
        m
        for m in _WORD.finditer(stem)
        if not any(m.start() in t for t in tokens)  # an earlier redaction's "[PERSON_NAME]"
        and len(m.group()) >= _MIN_NAME_CHARS
        and m.group().lower() not in _NOT_NAMES
        and (is_given_name(m.group()) or is_surname(m.group()))
    ]
    spans: list[Span] = []
    for m in words:
        last = spans[-1] if spans else None
        if last is not None and _JOINED_BY.fullmatch(stem[last.end : m.start()]):
            value = f"{last.value} {m.group().lower()}"
            spans[-1] = Span(Entity.PERSON_NAME, last.start, m.end(), value)
        else:
            spans.append(Span(Entity.PERSON_NAME, m.start(), m.end(), m.group().lower()))
    return spans


def redact_filename(name: str | None, policy: RedactionPolicy, key: Key = None) -> str | None:
    """``name`` with the policy's entities replaced by their tokens and its extension kept:
    "+14155552671 Maria Lopez.wav" -> "[PHONE_NUMBER] [PERSON_NAME].wav"."""
    if not name:
        return name
    found = _EXTENSION.search(name)
    stem, extension = (name[: found.start()], found.group()) if found else (name, "")
    # Underscores as spaces (one for one, so offsets hold): "vm_+14155552671" is read as
    # words, as the detectors expect; an earlier redaction's tokens keep theirs.
    tokens = [range(m.start(), m.end()) for m in TOKEN.finditer(stem)]
    said = "".join(
        " " if c == "_" and not any(i in t for t in tokens) else c for i, c in enumerate(stem)
    )
    spans = find_spans(said, policy)
    if policy.wants(Entity.PERSON_NAME):
        spans = resolve([*spans, *_name_spans(stem)])
    return render(stem, spans, policy, key) + extension
