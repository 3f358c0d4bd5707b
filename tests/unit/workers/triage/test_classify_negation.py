"""A topic the caller rules out ("this is no complaint") is not the message's topic."""

from __future__ import annotations

import pytest

from shared.language.tokens import tokenize
from workers.triage.classify import intent


def _words(text: str) -> tuple[str, ...]:
    return tokenize(text).low


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "i am not angry and this is no complaint i just want to know when my order ships",
            "order_status",
        ),
        ("not a complaint just a question about my bill", "billing"),
        ("i'm not angry no complaint just call me back please", "callback_request"),
    ],
)
def test_a_complaint_the_caller_rules_out_is_not_the_topic(text: str, expected: str) -> None:
    # Before, "complaint" and "angry" scored for a complaint however they were negated.
    assert intent(_words(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the shower is still not working not good enough for what i pay",
        "i want to file a complaint your driver was rude",
    ],
)
def test_a_complaint_cue_that_is_itself_a_negation_still_counts(text: str) -> None:
    assert intent(_words(text)) == "complaint"
