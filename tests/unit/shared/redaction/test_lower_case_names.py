"""Names a cue introduces are redacted whatever their case and however many are said, while
the ordinary lower-case words a cue is also followed by are kept."""

from __future__ import annotations

import pytest

from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

NAMES = RedactionPolicy(entities=[Entity.PERSON_NAME])


def _names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_spans(text, NAMES)]


def test_every_name_a_lower_case_transcript_introduces_is_redacted() -> None:
    text = "hi this is john smith calling, my name is maria lopez"
    assert _names(text) == ["john smith", "maria lopez"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hi, this is john smith calling about my order.", ["john smith"]),
        ("Hello. My name is maria lopez and the boiler is out.", ["maria lopez"]),
        ("Hi, dana here. Call me back.", ["dana"]),
        ("This is John Smith. Oh, and my name is maria lopez.", ["John Smith", "maria lopez"]),
    ],
)
def test_a_name_written_lower_case_in_a_cased_transcript_is_redacted(
    text: str, names: list[str]
) -> None:
    assert _names(text) == names


@pytest.mark.parametrize(
    "text",
    [
        "this is about my order",
        "Hi, this is about my order.",
        "Hi, it's broken again and I'm worried.",
        "It's urgent, this is regarding the leak.",
        "hi it's um about the bill",
    ],
)
def test_ordinary_words_after_a_cue_are_kept(text: str) -> None:
    assert _names(text) == []


def test_a_later_cue_before_ordinary_words_redacts_only_the_callers_name() -> None:
    text = "hi this is john smith, i'm free tomorrow after five, it's the leak again"
    assert _names(text) == ["john smith"]


@pytest.mark.parametrize(
    "text",
    [
        "The light, it's green now and it's white.",
        "Hi, this is Bob. It's young people who keep calling.",
        "This is urgent, it's grace period.",
        "Hello, it's king size, the bed I ordered.",
    ],
)
def test_a_cased_transcripts_lower_case_words_after_a_weak_cue_are_not_taken_for_names(
    text: str,
) -> None:
    # "it's" and "i'm" are followed by ordinary words far more often than by a name the
    # recogniser forgot to capitalise: surnames such as Green or White, given names such as
    # Grace, are words first.
    assert [n for n in _names(text) if n != "Bob"] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("hi this is um john smith", ["john smith"]),
        ("my name is uh maria lopez", ["maria lopez"]),
        ("this is, er, Dana Wright", ["Dana Wright"]),
        ("Hi, this is, um, john smith. Call me back.", ["john smith"]),
        ("hi this is john calling, my name is uh maria lopez", ["john", "maria lopez"]),
    ],
)
def test_a_name_said_after_a_filler_following_the_cue_is_redacted_and_the_filler_kept(
    text: str, names: list[str]
) -> None:
    assert _names(text) == names
