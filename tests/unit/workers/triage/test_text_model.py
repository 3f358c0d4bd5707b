from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shared.language.tokens import tokenize
from tests.quality import train_triage_models as training
from workers.triage.text_model import LABELS, Label, TextModel, features, text_model

# Phrasings of no keyword list: what the learned models are for.
_MESSAGES = [
    "my boiler's packed in and the house is freezing",
    "i want out of my contract at the end of the month",
    "is my laptop ready to pick up yet",
    "how much would you charge to do the whole office",
    "the bill you sent doesn't add up, no rush",
    "hello it's me",
]


@pytest.fixture(scope="module", params=LABELS)
def trained(request: pytest.FixtureRequest) -> tuple[Label, Any, Any]:
    label: Label = request.param
    return (label, *training.fit(training.corpus(), label))


def _as_row(model: TextModel, message: str) -> list[float]:
    got = model.probabilities(tokenize(message).low)
    return [got[name] for name in model.classes]


def test_features_are_the_words_and_their_pairs_with_any_number_as_one_word() -> None:
    assert features(("call", "me", "at", "555-0100")) == [
        "call", "me", "at", "#", "call me", "me at", "at #",
    ]  # fmt: skip


def test_exported_weights_score_as_the_fitted_model(trained: tuple[Label, Any, Any]) -> None:
    _, vectorizer, model = trained
    exported = TextModel.from_json(training.weights(vectorizer, model))
    expected = model.predict_proba(vectorizer.transform(_MESSAGES))
    for message, row in zip(_MESSAGES, expected, strict=True):
        assert np.allclose(_as_row(exported, message), row, atol=1e-4), message


def test_the_shipped_model_is_what_the_committed_corpus_trains(
    trained: tuple[Label, Any, Any],
) -> None:
    label, vectorizer, model = trained
    shipped = text_model(label)
    assert shipped.classes == tuple(model.classes_)
    assert set(shipped.weights) == set(vectorizer.vocabulary_)
    expected = model.predict_proba(vectorizer.transform(_MESSAGES))
    for message, row in zip(_MESSAGES, expected, strict=True):
        # Close, not equal: another machine's floating point may move the last digits.
        assert np.allclose(_as_row(shipped, message), row, atol=1e-3), message


@pytest.mark.parametrize("label", LABELS)
def test_probabilities_sum_to_one_and_an_empty_message_still_gets_some(label: Label) -> None:
    model = text_model(label)
    empty = model.probabilities(())
    assert sum(empty.values()) == pytest.approx(1.0)
    assert set(empty) == set(model.classes)


def test_the_topic_model_reads_phrasings_no_rule_lists_nor_its_corpus() -> None:
    model = text_model("intent")
    for message, topic in [
        ("any free slots for a trim on friday afternoon", "appointment"),
        ("the heating engineer left muddy boot prints all up my stairs", "complaint"),
        ("my boiler's packed in", "repair"),
    ]:
        said = model.probabilities(tokenize(message).low)
        assert max(said, key=said.__getitem__) == topic, message
