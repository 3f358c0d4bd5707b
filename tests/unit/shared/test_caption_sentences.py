""" "Dr." and "St." name a street or a person: "5 Elm Dr. Call me" ends a sentence at
"Dr." (Drive), which as a title it never did, so the address and the next sentence shared a
cue; "Visit St. Louis" cut after "St." because the capitalised first word of the sentence
was read as a street's name."""

from __future__ import annotations

import pytest

from shared.caption_sentences import sentence_ends
from shared.models import Transcript, Word
from shared.transcript_formats import segments


def _cues(text: str) -> list[str]:
    words, at = [], 0.0
    for token in text.split():
        words.append(Word(word=token, start_s=round(at, 2), end_s=round(at + 0.25, 2)))
        at += 0.3
    transcript = Transcript(text=text, provider="local", duration_s=at, words=words)
    return [cue.text for cue in segments(transcript)]


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("I live at 5 Elm Dr. Call me back", ["I live at 5 Elm Dr.", "Call me back"]),
        ("It's on Oak Tree Dr. Thanks a lot", ["It's on Oak Tree Dr.", "Thanks a lot"]),
        ("We moved to 12 Lakeview Dr. Come by", ["We moved to 12 Lakeview Dr.", "Come by"]),
    ],
)
def test_dr_after_a_street_name_is_drive_and_may_end_its_cue(text: str, cues: list[str]) -> None:
    assert _cues(text) == cues


@pytest.mark.parametrize(
    "text",
    [
        "Please ask Dr. Smith to call me",
        "Hello Dr. Smith this is Anna",
        "Tell Dr. Patel I called",
        "Hi Anna, Dr. Lee here again",
        "Good Morning Dr. Smith it's Anna",
        "Please tell Anna Dr. Lee called",
        "I live on Elm Dr. near the park",
        "I have an appointment on Monday Dr. Lee wants to see me",
        "Your visit is on Friday Dr. Patel will call",
    ],
)
def test_dr_before_a_name_or_a_lower_case_word_stays_in_its_cue(text: str) -> None:
    assert _cues(text) == [text]


@pytest.mark.parametrize("text", ["Visit St. Louis in May", "Thanks. Visit St. Louis soon"])
def test_st_after_the_first_word_of_a_sentence_is_a_saint(text: str) -> None:
    words = text.split()
    assert not sentence_ends(words)[words.index("St.")]


def test_st_after_a_street_name_inside_a_sentence_still_ends_it() -> None:
    assert _cues("I'm on Main St. Call me back") == ["I'm on Main St.", "Call me back"]
