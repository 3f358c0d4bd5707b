"""Redaction of text, of JSON-like values, and of a transcript's text and timed words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.models import Transcript
from shared.redaction.align import collapse, groups, joined, word_ranges
from shared.redaction.detect import Known, find_spans, known_forms, remember
from shared.redaction.normalise import normalise
from shared.redaction.spans import Span, resolve
from shared.redaction.substitute import substitute
from shared.redaction_policy import Entity, RedactionPolicy

Key = bytes | str | None

# A triage or review field that holds one whole value of an entity: replaced outright
# (``redact_mapping``'s ``whole``), since it has no cue to find the value by.
WHOLE_FIELDS = {
    "caller_name": Entity.PERSON_NAME,
    "callback_number": Entity.PHONE_NUMBER,
    "callback_number_partial": Entity.PHONE_NUMBER,
}
# Where a transcript's details keep a name as the engine first wrote it and as it was
# rewritten (workers/providers/stt/name_rescoring.py): "Atmet" alone has no "this is" to be
# found by, and must not outlive the name it was.
TRANSCRIPT_NAME_FIELDS = {
    "heard_name": Entity.PERSON_NAME,
    "written_name": Entity.PERSON_NAME,
}


@dataclass(frozen=True)
class Redacted:
    text: str
    spans: list[Span]  # offsets into the text before redaction


def render(text: str, spans: Iterable[Span], policy: RedactionPolicy, key: Key) -> str:
    """``text`` with each of ``spans`` (in order, not overlapping) replaced by its token."""
    out: list[str] = []
    at = 0
    for span in spans:
        out += [text[at : span.start], substitute(span.entity, span.value, policy.style, key)]
        at = span.end
    return "".join([*out, text[at:]])


def redact_text(
    text: str, policy: RedactionPolicy, key: Key = None, *, known: Iterable[Known] = ()
) -> Redacted:
    """``text`` with every entity ``policy`` names replaced. ``known`` values (``remember``
    of the transcript's spans) are replaced wherever they appear, cue or not: a reply that
    greets the caller by name, a summary that repeats the number."""
    spans = find_spans(text, policy, known)
    return Redacted(render(text, spans, policy, key), spans)


def redact_mapping(
    obj: Any,
    policy: RedactionPolicy,
    key: Key = None,
    *,
    whole: Mapping[str, Entity] | None = None,
    known: Iterable[Known] = (),
) -> Any:
    """A copy of a JSON-like value (dicts, lists, tuples, strings) with every string
    redacted; keys and other values are kept. A string under a key in ``whole`` is one value
    of that entity and is replaced outright (``{"caller_name": "Maria Gonzalez"}`` has no
    "this is" to find the name by), and is then found in the other strings too (the
    ``summary`` that names her)."""
    fields = dict(whole or {})
    remembered = list(known)

    def harvest(value: Any, entity: Entity | None) -> None:
        if isinstance(value, str) and entity is not None and value.strip():
            normal = normalise(entity, value, policy.region)
            remembered.extend(known_forms(entity, value, normal))
        elif isinstance(value, Mapping):
            for k, v in value.items():
                harvest(v, fields.get(k) if isinstance(k, str) else None)
        elif isinstance(value, list | tuple):
            for item in value:
                harvest(item, entity)

    def walk(value: Any, entity: Entity | None) -> Any:
        if isinstance(value, str):
            if entity is not None and policy.wants(entity) and value.strip():
                normal = normalise(entity, value, policy.region)
                return substitute(entity, normal, policy.style, key)
            return redact_text(value, policy, key, known=remembered).text
        if isinstance(value, Mapping):
            return {
                k: walk(v, fields.get(k) if isinstance(k, str) else None) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(walk(item, entity) for item in value)
        return value

    if fields:
        harvest(obj, None)
    return walk(obj, None)


@dataclass(frozen=True)
class RedactedTranscript:
    transcript: Transcript
    # Seconds in which removed words were spoken, in order and merged: what the audio step
    # silences. Words without times add nothing here.
    spans_s: list[tuple[float, float]]
    spans: list[Span]  # offsets into the original text


def _word_spans(
    transcript: Transcript, policy: RedactionPolicy, spans: list[Span], elsewhere: list[Known]
) -> list[Span]:
    """Entities found in the words joined, as (word index start, word index end) spans."""
    said, ranges = joined([w.word for w in transcript.words])
    found = find_spans(said, policy, [*remember(transcript.text, spans), *elsewhere])
    out: list[Span] = []
    for span in found:
        hit = [i for i, (a, b) in enumerate(ranges) if a < span.end and span.start < b]
        if hit:
            out.append(Span(span.entity, hit[0], hit[-1] + 1, span.value))
    return out


def _texts(value: Any) -> list[str]:
    """Every string in a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def _heard_elsewhere(details: Any, policy: RedactionPolicy) -> list[Known]:
    """The values the details' own texts hold (another engine's hearing, a rehearing of the
    number's stretch). Each hearing is caught in the others: an email the second engine
    heard with its "@" is also removed from the rehearing that heard it as a dot."""
    return [k for t in _texts(details) for k in remember(t, find_spans(t, policy))]


def _across_segments(
    details: dict[str, Any], policy: RedactionPolicy, key: Key, known: list[Known]
) -> dict[str, Any]:
    """The engine's segment texts with a value said across segments redacted in each: the
    first holds its token, the later ones lose their part. Whisper ends a segment where the
    speaker pauses, which can be mid-number, and each half alone is no number to find; the
    captions of a transcript without words are made of these texts."""
    segments = details.get("segments")
    if not isinstance(segments, list):
        return details
    at = [
        i for i, s in enumerate(segments) if isinstance(s, dict) and isinstance(s.get("text"), str)
    ]
    texts = [segments[i]["text"] for i in at]
    said, ranges = joined(texts)
    spans = resolve(find_spans(said, policy, known))
    if not spans:
        return details
    changed: set[int] = set()
    for span in reversed(spans):  # from the end, so that earlier offsets still hold
        hit = [k for k, (a, b) in enumerate(ranges) if a < span.end and span.start < b]
        changed.update(hit)
        for k in reversed(hit):
            a, b = ranges[k]
            token = substitute(span.entity, span.value, policy.style, key) if k == hit[0] else ""
            texts[k] = texts[k][: max(span.start, a) - a] + token + texts[k][min(span.end, b) - a :]
    out = list(segments)
    for k in changed:
        out[at[k]] = {**segments[at[k]], "text": texts[k].strip()}
    return {**details, "segments": out}


def redact_transcript(
    transcript: Transcript, policy: RedactionPolicy, key: Key = None
) -> RedactedTranscript:
    """The transcript with its text, words and the texts in its details (an engine's
    segments) redacted alike, and the seconds the removed words were spoken in.

    Entities are looked for in the text, in the words joined and in the details' texts, and
    what any of them finds is removed from all, so hearings that disagree cannot leak
    through each other."""
    text, words = transcript.text, transcript.words
    ranges = word_ranges(text, [w.word for w in words])
    elsewhere = _heard_elsewhere(transcript.details, policy)
    spans = find_spans(text, policy, elsewhere)
    by_words = _word_spans(transcript, policy, spans, elsewhere) if words else []
    for span in by_words:  # where the text has the words, it loses them too
        located = [r for r in ranges[span.start : span.end] if r is not None]
        if located:
            spans.append(Span(span.entity, located[0][0], located[-1][1], span.value))
    spans = resolve(spans)
    group = groups(ranges, [(s.start, s.end) for s in spans])
    tokens = [substitute(s.entity, s.value, policy.style, key) for s in spans]
    for span in by_words:  # words the text lacks take the token of a neighbour, or their own
        members = range(span.start, span.end)
        shared = next((group[i] for i in members if group[i] is not None), None)
        if shared is None:
            shared = len(tokens)
            tokens.append(substitute(span.entity, span.value, policy.style, key))
        for i in members:
            group[i] = shared if group[i] is None else group[i]
    new_words, spans_s = collapse(words, group, tokens)
    details = redact_mapping(
        transcript.details,
        policy,
        key,
        whole={k: v for k, v in TRANSCRIPT_NAME_FIELDS.items() if policy.wants(v)},
        known=[*remember(text, spans), *elsewhere],
    )
    details = _across_segments(details, policy, key, [*remember(text, spans), *elsewhere])
    update = {"text": render(text, spans, policy, key), "words": new_words, "details": details}
    return RedactedTranscript(transcript.model_copy(update=update), spans_s, spans)
