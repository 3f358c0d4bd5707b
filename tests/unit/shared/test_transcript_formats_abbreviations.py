"""A title's full stop ("Mr.", "Dr.") or an initial's is no sentence end: captions cut there
showed "And Mr." alone for 0.38 s (LibriVox, through the offline engine) and the name in
the next cue."""

from __future__ import annotations

import pytest

from shared.models import Transcript, Word
from shared.transcript_formats import segments


def _spoken(text: str) -> Transcript:
    words, at = [], 0.0
    for token in text.split():
        words.append(Word(word=token, start_s=round(at, 2), end_s=round(at + 0.25, 2)))
        at += 0.3
    return Transcript(text=text, provider="local", duration_s=at, words=words)


@pytest.mark.parametrize(
    "text",
    [
        "And Mr. John Dashwood had then leisure",
        "Please ask Dr. Patel to call me",
        "It's Mrs. Okafor from the school",
        "This is Anna J. Lee calling back",
    ],
)
def test_a_title_or_an_initial_does_not_end_its_cue(text: str) -> None:
    assert [cue.text for cue in segments(_spoken(text))] == [text]


def test_a_full_stop_after_an_ordinary_word_still_ends_its_cue() -> None:
    assert [cue.text for cue in segments(_spoken("Call me back. Thanks"))] == [
        "Call me back.",
        "Thanks",
    ]


# "Jr.", "Sr.", "St.", "etc.", "vs.", "a.m.", "p.m.": full stops that end a sentence only
# sometimes. Cut there always, "Martin Luther King Jr." showed alone and "Boulevard" next.
@pytest.mark.parametrize(
    "text",
    [
        "Meet me on Martin Luther King Jr. Boulevard at noon",
        "Happy Martin Luther King Jr. Day to you all",
        "We flew to St. Louis last week",
        "St. Paul called about the roof",
        "Ask for John Smith Sr. about the invoice",
        "Bring chairs, tables, etc. and a cooler",
        "It's Smith vs. Jones on Friday",
        "Call me at 5 p.m. tomorrow please",
        "I'm on Elm St. near the school",
    ],
)
def test_an_abbreviation_inside_a_sentence_does_not_end_its_cue(text: str) -> None:
    assert [cue.text for cue in segments(_spoken(text))] == [text]


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("I'm on Main St. Call me back", ["I'm on Main St.", "Call me back"]),
        ("This is John Smith Jr. Please call", ["This is John Smith Jr.", "Please call"]),
        ("Bring chairs, tables, etc. Then call me", ["Bring chairs, tables, etc.", "Then call me"]),
        ("See you at 5 p.m. Bye now", ["See you at 5 p.m.", "Bye now"]),
    ],
)
def test_an_abbreviation_that_ends_its_sentence_still_ends_its_cue(
    text: str, cues: list[str]
) -> None:
    assert [cue.text for cue in segments(_spoken(text))] == cues
