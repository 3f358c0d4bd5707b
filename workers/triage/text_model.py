"""Learned readings of a voicemail's topic and urgency, beside the keyword rules (classify.py).

Keyword rules know the phrasings someone listed; callers find others ("my boiler's packed
in", "I want out of my contract", "can you knock the add-on off my plan"). Each model here
is a linear one over the message's words and word pairs (tf-idf weighted, logistic
regression), trained with scikit-learn by ``tests/quality/train_triage_models.py`` on a
corpus of written voicemails (``tests/quality/triage_corpus``) and shipped as its weights
(``<label>_model.json`` beside this file). Scoring is a sparse dot product, so nothing but
the weights is needed at run time. How each is weighed against the rules is decided, and
measured, in classify.py.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

Label = Literal["intent", "urgency"]
LABELS: tuple[Label, ...] = ("intent", "urgency")

# Every number reads as one word: a price, a date or a phone number says nothing of the
# topic by its digits.
_DIGITS = re.compile(r"\d")


def model_file(label: Label) -> Path:
    return Path(__file__).with_name(f"{label}_model.json")


def features(words: Sequence[str]) -> list[str]:
    """The models' features of lower-cased words: each word and each pair of neighbours."""
    plain = ["#" if _DIGITS.search(word) else word for word in words]
    return plain + [f"{a} {b}" for a, b in pairwise(plain)]


@dataclass(frozen=True)
class TextModel:
    classes: tuple[str, ...]
    # feature -> (its inverse document frequency, its weight for each class)
    weights: dict[str, tuple[float, tuple[float, ...]]]
    intercepts: tuple[float, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextModel:
        idf: list[float] = data["idf"]
        coef: list[list[float]] = data["coef"]
        weights = {
            term: (idf[i], tuple(row[i] for row in coef))
            for i, term in enumerate(data["vocabulary"])
        }
        return cls(tuple(data["classes"]), weights, tuple(data["intercept"]))

    def probabilities(self, words: Sequence[str]) -> dict[str, float]:
        """Each class's probability for a message of these lower-cased words, as
        scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` and ``predict_proba`` give."""
        known = {
            term: (1.0 + math.log(count)) * self.weights[term][0]
            for term, count in Counter(features(words)).items()
            if term in self.weights
        }
        norm = math.sqrt(sum(value * value for value in known.values())) or 1.0
        scores = list(self.intercepts)
        for term, value in known.items():
            for k, weight in enumerate(self.weights[term][1]):
                scores[k] += weight * value / norm
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}


@cache
def text_model(label: Label) -> TextModel:
    """The shipped model for ``label``, read once per process."""
    return TextModel.from_json(json.loads(model_file(label).read_text()))
