from __future__ import annotations

from shared.models import Word
from workers.providers.stt.name_rescoring import (
    MARGIN_NATS,
    named_by_other_hearing,
    rescore_caller_name,
)


def _words(text: str, start_s: float = 0.0) -> list[Word]:
    return [
        Word(word=w, start_s=start_s + i * 0.4, end_s=start_s + i * 0.4 + 0.3, confidence=0.9)
        for i, w in enumerate(text.split())
    ]


class Scorer:
    """The engine's log-probability of each text: its own text 0, a text with one of
    ``likely`` in it that name's figure, any other name far less likely."""

    def __init__(self, likely: dict[str, float]) -> None:
        self.likely = likely
        self.asked: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[float]:
        self.asked.append(texts)
        own = texts[0].split()
        scores = []
        for text in texts:
            changed = [w for w, o in zip(text.split(), own, strict=True) if w != o]
            name = changed[0].strip(",.") if changed else None
            scores.append(0.0 if name is None else self.likely.get(name, -10.0))
        return scores


def test_a_misheard_given_name_becomes_the_known_one_the_engine_finds_as_likely() -> None:
    words = _words("Hi, this is Atmet Siddiqui, about my account balance.")
    scorer = Scorer({"Ahmed": 0.45})
    rescored, changes = rescore_caller_name(words, scorer, until_s=30.0)
    assert " ".join(w.word for w in rescored) == (
        "Hi, this is Ahmed Siddiqui, about my account balance."
    )
    assert changes == [{"heard_name": "Atmet", "written_name": "Ahmed", "nats": 0.45}]
    assert [(w.start_s, w.end_s) for w in rescored] == [(w.start_s, w.end_s) for w in words]


def test_punctuation_after_a_rewritten_name_is_kept() -> None:
    words = _words("Hello, this is Walter Griggus, from the bakery.")
    rescored, _ = rescore_caller_name(words, Scorer({"Briggs": -0.89}), until_s=30.0)
    assert rescored[4].word == "Briggs,"


def test_a_name_the_engine_finds_less_likely_than_the_margin_is_not_taken() -> None:
    words = _words("Hi, this is Arnya Petrova, about my order.")
    scorer = Scorer({"Anya": -MARGIN_NATS - 0.01, "Petrov": -2.18})
    rescored, changes = rescore_caller_name(words, scorer, until_s=30.0)
    assert rescored == words
    assert changes == []
    assert scorer.asked  # it was weighed, and kept


def test_known_names_and_messages_without_a_name_are_not_scored() -> None:
    scorer = Scorer({})
    for text in ("Hi, this is Dana Whitaker, calling about Thursday.", "Call me back please."):
        words = _words(text)
        assert rescore_caller_name(words, scorer, until_s=30.0) == (words, [])
    assert scorer.asked == []


def test_after_a_title_a_lone_word_is_weighed_as_a_surname() -> None:
    words = _words("Hello, this is Dr Alarez, returning your call.")
    scorer = Scorer({"Alvarez": -0.2})
    rescored, changes = rescore_caller_name(words, scorer, until_s=30.0)
    assert [w.word for w in rescored[3:5]] == ["Dr", "Alvarez,"]
    assert changes[0]["written_name"] == "Alvarez"
    # The title is no name to weigh: only the surname's candidates were scored.
    assert len(scorer.asked) == 1


def test_a_name_heard_after_the_scored_window_is_left_as_heard() -> None:
    words = _words("Hi, this is Atmet Siddiqui, about my account.", start_s=29.0)
    scorer = Scorer({"Ahmed": 0.45})
    assert rescore_caller_name(words, scorer, until_s=30.0) == (words, [])
    assert scorer.asked == []


def test_scored_texts_stop_a_few_words_after_the_name() -> None:
    words = _words("Hi, this is Atmet Siddiqui, about my account balance. I paid online.")
    scorer = Scorer({"Ahmed": 0.45})
    rescore_caller_name(words, scorer, until_s=30.0)
    # Four words after the name's last doubtful word (Siddiqui, no known surname either).
    assert scorer.asked[0][0] == "Hi, this is Atmet Siddiqui, about my account balance."


def test_a_known_name_the_other_engine_heard_is_left_to_the_triage() -> None:
    # w17 of the written set spoken: Whisper "Sony Turner", Moonshine "Sophie Turner".
    assert named_by_other_hearing(
        "Hi, this is Sony Turner, about my order.", "Hi, this is Sophie Turner about my order."
    )
    assert not named_by_other_hearing(
        "Hi, this is Atmet Siddiqui, about my account.", "Hi this is Atmet Siddiqui about it."
    )
    assert not named_by_other_hearing("Hi, this is Atmet Siddiqui.", "I paid online.")
