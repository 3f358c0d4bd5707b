"""Recall and precision over hand-written voicemail transcripts with planted entities."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from shared.redaction.apply import redact_text
from shared.redaction.detect import find_spans
from shared.redaction.spans import Span
from shared.redaction_policy import Entity, RedactionPolicy

SUITE: list[dict[str, Any]] = json.loads((Path(__file__).parent / "suite.json").read_text())[
    "transcripts"
]
POLICY = RedactionPolicy()
STRICT = (Entity.PHONE_NUMBER, Entity.CREDIT_CARD_NUMBER, Entity.EMAIL_ADDRESS)
STRICT_RECALL = 0.95
# Measured at 1.0 for every entity on this suite; the floor lets one miss in a handful fail
# loudly in the report without hiding a real collapse.
OTHER_RECALL = 0.8
# Spoken digits as a person would write them down: an independent reading, not the
# detectors', so a number that survives in any form is caught.
_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
                "nine": "9"}  # fmt: skip


def _occurrences(text: str, part: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(part), text)]


def _found(text: str, spans: list[Span], entity: str, at: int, end: int) -> bool:
    covered = all(
        any(s.start <= i < s.end for s in spans) for i in range(at, end) if text[i].isalnum()
    )
    return covered and any(s.entity == entity and s.start < end and at < s.end for s in spans)


def _recall() -> tuple[Counter[str], Counter[str], list[str]]:
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    misses: list[str] = []
    for case in SUITE:
        spans = find_spans(case["text"], POLICY)
        for planted in case["entities"]:
            for at, end in _occurrences(case["text"], planted["text"]):
                totals[planted["entity"]] += 1
                if _found(case["text"], spans, planted["entity"], at, end):
                    hits[planted["entity"]] += 1
                else:
                    misses.append(f"{case['id']}: {planted['entity']} {planted['text']!r}")
    return hits, totals, misses


def _digits(text: str) -> str:
    out: list[str] = []
    words = re.findall(r"[a-z]+|\d", text.lower())
    for i, word in enumerate(words):
        if word.isdigit():
            out.append(word)
        elif word in _DIGIT_WORDS:
            repeat = {"double": 2, "triple": 3}.get(words[i - 1] if i else "", 1)
            out.append(_DIGIT_WORDS[word] * repeat)
    return "".join(out)


def test_the_suite_has_enough_varied_transcripts_to_measure_recall() -> None:
    counts = Counter(p["entity"] for case in SUITE for p in case["entities"])
    assert len(SUITE) >= 45
    assert len({case["id"] for case in SUITE}) == len(SUITE)
    assert counts[Entity.PHONE_NUMBER] >= 20
    assert counts[Entity.CREDIT_CARD_NUMBER] >= 10
    assert counts[Entity.EMAIL_ADDRESS] >= 10
    assert set(counts) == set(Entity)
    assert sum(1 for case in SUITE if not case["entities"]) >= 10
    for case in SUITE:
        for planted in [*case["entities"], *({"text": d} for d in case.get("distractors", []))]:
            assert planted["text"] in case["text"], case["id"]


def test_recall_of_phone_card_and_email_is_at_least_95_percent_and_the_rest_80() -> None:
    hits, totals, misses = _recall()
    recall = {entity: hits[entity] / totals[entity] for entity in totals}
    report = ", ".join(f"{e}={recall[e]:.3f} ({hits[e]}/{totals[e]})" for e in sorted(recall))
    print(f"recall: {report}")  # shown with -s
    for entity in Entity:
        floor = STRICT_RECALL if entity in STRICT else OTHER_RECALL
        assert recall[entity] >= floor, f"{entity}: {report}; missed: {misses}"


def test_distractor_numbers_are_never_redacted_as_phone_or_card_numbers() -> None:
    wrong: list[str] = []
    for case in SUITE:
        spans = find_spans(case["text"], POLICY)
        for distractor in case.get("distractors", []):
            for at, end in _occurrences(case["text"], distractor):
                for s in spans:
                    numeric = s.entity in (Entity.PHONE_NUMBER, Entity.CREDIT_CARD_NUMBER)
                    if numeric and s.start < end and at < s.end:
                        wrong.append(f"{case['id']}: {distractor!r} in {s.entity}")
    assert wrong == []


def test_transcripts_without_entities_come_back_unchanged() -> None:
    for case in SUITE:
        if not case["entities"]:
            assert redact_text(case["text"], POLICY).text == case["text"], case["id"]


@pytest.mark.parametrize("case", [c for c in SUITE if c["entities"]], ids=lambda c: str(c["id"]))
def test_planted_numbers_and_emails_do_not_survive_redaction(case: dict[str, Any]) -> None:
    redacted = redact_text(case["text"], POLICY).text
    for planted in case["entities"]:
        if planted["entity"] not in (*STRICT, Entity.US_SOCIAL_SECURITY_NUMBER):
            continue
        assert planted["text"].lower() not in redacted.lower()
        digits = _digits(planted["text"])
        if len(digits) >= 6:
            assert digits not in _digits(redacted), planted["text"]
