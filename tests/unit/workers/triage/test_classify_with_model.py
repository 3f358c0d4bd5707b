"""The rules and the learned text model together: where each decides the intent and the
urgency (split from test_classify.py, which holds the rules alone)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from shared.language.tokens import tokenize
from workers.triage import classify
from workers.triage.classify import intent, urgency


def _words(text: str) -> tuple[str, ...]:
    return tokenize(text).low


class _FixedModel:
    """A learned model that reads every message alike."""

    def __init__(self, probabilities: dict[str, float]) -> None:
        self._probabilities = probabilities

    def probabilities(self, words: Sequence[str]) -> dict[str, float]:
        return self._probabilities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("could someone call me back today please", "high"),
        ("could someone call me back today or tomorrow please", "normal"),
    ],
)
def test_a_call_back_wanted_today_is_a_cue_and_today_or_tomorrow_is_not(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    # The rules alone: a model that reads nothing (trained, it reads both as high).
    model = _FixedModel({"normal": 0.4, "high": 0.3, "low": 0.3})
    monkeypatch.setattr(classify, "text_model", lambda label: model)
    assert urgency(tokenize(text).low) == expected


@pytest.mark.parametrize(
    ("repair", "expected"),
    [(0.40, "repair"), (0.30, "callback_request")],
)
def test_a_topic_the_model_is_sure_of_beats_a_phrase_that_only_asks_for_a_call(
    monkeypatch: pytest.MonkeyPatch, repair: float, expected: str
) -> None:
    # "please call me back" is the rules' only phrase here. Blended, "call me back" would win
    # (0.35 + its phrase's weight against 0.40); the model sure of a topic says what about.
    model = _FixedModel({"repair": repair, "callback_request": 0.35, "general": 0.05})
    monkeypatch.setattr(classify, "text_model", lambda label: model)
    assert intent(_words("the thing upstairs went wrong please call me back")) == expected


def test_the_model_alone_names_a_topic_only_when_it_is_sure() -> None:
    # No phrase of the rules in any, nor the message in the model's corpus; the model reads
    # the first two and doubts the last.
    assert intent(_words("my boiler's packed in and the house is freezing")) == "repair"
    assert intent(_words("please take the gold package off our account from next month")) == (
        "cancellation"
    )
    assert intent(_words("thanks for sorting it yesterday you don't need to ring me")) == "general"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("there's no water at all in the building", "high"),
        ("i think my account was hacked", "high"),
        ("there are exposed wires in the hallway", "high"),
        ("call me back whenever you're free, no pressure", "low"),
    ],
)
def test_the_thesaurus_pass_sets_urgency_in_other_words(text: str, expected: str) -> None:
    assert urgency(_words(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No cue phrase in any, and none in the model's corpus: the learned model reads them.
        ("my flight leaves tonight and i still do not have my passport back", "high"),
        # (Was "sometime after the school holidays would suit us": low at 0.68 from the
        # first corpus, 0.57 from the second, under the bar; a relaxed date, not "no rush".)
        ("any time in the new year would suit us", "low"),
        ("i'd like to go over the quote you sent for the patio", "normal"),
    ],
)
def test_where_no_cue_is_found_the_learned_model_reads_the_urgency(
    text: str, expected: str
) -> None:
    assert urgency(_words(text)) == expected
