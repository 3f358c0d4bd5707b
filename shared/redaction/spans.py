"""A found piece of personal data, and how overlapping finds become one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from shared.redaction_policy import Entity


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is ``entity``; ``value`` is its normalised form (E.164 for a valid
    phone number, bare digits for a card, the address for an email), so that the same value
    said two ways gets the same hashed token."""

    entity: Entity
    start: int
    end: int
    value: str

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


# Most specific first: a checksum or a validated shape beats a cue, and a cue beats a shape.
_RANK = {
    entity: rank
    for rank, entity in enumerate(
        (
            Entity.CREDIT_CARD_NUMBER,
            Entity.US_SOCIAL_SECURITY_NUMBER,
            Entity.EMAIL_ADDRESS,
            Entity.ACCOUNT_NUMBER,
            Entity.ACCESS_CODE,
            Entity.PHONE_NUMBER,
            Entity.DATE_OF_BIRTH,
            Entity.STREET_ADDRESS,
            Entity.PERSON_NAME,
        )
    )
}


def _better(a: Span, b: Span) -> Span:
    key_a = (_RANK[a.entity], -(a.end - a.start), a.start)
    key_b = (_RANK[b.entity], -(b.end - b.start), b.start)
    return a if key_a <= key_b else b


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans in order. Overlapping finds merge into one span over all their
    characters, named after the most specific of them: whatever any detector saw is removed,
    and a card read aloud is not also half a phone number."""
    out: list[Span] = []
    best: Span | None = None
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and span.start < out[-1].end and best is not None:
            best = _better(best, span)
            merged_end = max(out[-1].end, span.end)
            out[-1] = replace(best, start=out[-1].start, end=merged_end)
        else:
            best = span
            out.append(span)
    return out
