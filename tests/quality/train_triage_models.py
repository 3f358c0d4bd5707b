"""Train the triage's text models (workers/triage/text_model.py) and write their weights.

    python -m tests.quality.train_triage_models          # writes workers/triage/*_model.json

The corpus is ``tests/quality/triage_corpus/*.jsonl``: 5,967 written voicemails (1,368 in a
first round, 1,600 in a second, 1,400 in a third, 1,599 in a fourth), one JSON object a line
with its ``text``, ``intent`` and ``urgency``, written for training by helper sessions
(language models) that had not read the keyword rules, across kinds of business and hard
cases, by ``triage_corpus/GUIDE.md`` (which says who wrote what). Neither the voicemail set nor
written.json nor written_callers.json, which ``make quality`` scores, is in it.

Training is deterministic (lbfgs from zeros): the shipped weights are what this script makes
from the committed corpus, and a unit test holds them to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from shared.language.tokens import tokenize
from workers.triage.text_model import LABELS, Label, features, model_file

CORPUS = Path(__file__).with_name("triage_corpus")
# Inverse regularisation strength: five-fold cross-validation on the corpus's first 720
# messages gave the topic model alone 0.804 / 0.808 / 0.814 right at 3 / 10 / 30, and the
# same on written.json's unseen w101-w130.
C = 10.0
# A feature seen in one or two messages only is more likely theirs than its class's. From
# two, the third round's 4,368 messages made a 2.2 MB topic model; from three, 1.3 MB, and
# the triage read every spoken set and the corpus alike, and one written message of 316
# otherwise (a48's urgency, high -> normal). The fourth round's 5,967 make 1.6 MB.
MIN_MESSAGES = 3
# Enough digits to keep the models' decisions, few enough to keep the files small.
DIGITS = 5


def corpus(folder: Path = CORPUS) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                items.append(json.loads(line))
    return items


def analyzer(text: str) -> list[str]:
    return features(tokenize(text).low)


def fit(items: list[dict[str, str]], label: Label) -> tuple[TfidfVectorizer, LogisticRegression]:
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=MIN_MESSAGES)
    matrix = vectorizer.fit_transform([item["text"] for item in items])
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(matrix, [item[label] for item in items])
    return vectorizer, model


def weights(vectorizer: TfidfVectorizer, model: LogisticRegression) -> dict[str, Any]:
    """What text_model.TextModel.from_json reads."""
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)

    def rounded(values: Any) -> list[float]:
        return [float(f"{value:.{DIGITS}g}") for value in values]

    return {
        "trained_by": "tests/quality/train_triage_models.py",
        "classes": [str(name) for name in model.classes_],
        "vocabulary": vocabulary,
        "idf": rounded(vectorizer.idf_),
        "coef": [rounded(row) for row in model.coef_],
        "intercept": rounded(model.intercept_),
    }


def main() -> int:
    items = corpus()
    for label in LABELS:
        path = model_file(label)
        path.write_text(json.dumps(weights(*fit(items, label)), separators=(",", ":")) + "\n")
        print(f"wrote {path} from {len(items)} voicemails ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
