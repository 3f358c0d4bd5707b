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


# "St." between a given name and a name is a surname's: both were cut after "St.", the street
# reading, and "Clair calling" opened the next cue.
@pytest.mark.parametrize("text", ["This is Anna St. Clair calling", "Call John St. James today"])
def test_st_between_a_given_name_and_a_name_is_part_of_a_surname(text: str) -> None:
    assert _cues(text) == [text]


def test_st_after_a_given_name_before_a_sentence_opener_is_still_a_street() -> None:
    assert _cues("I'm on George St. Call me back") == ["I'm on George St.", "Call me back"]


# A capital and its full stop were always read as an initial, so "Plan B. Call me" shared a
# cue with the next sentence. "I." after a verb is the pronoun; a capital before a word that
# opens sentences ends one unless a given name, a title or an initial stands before it.
@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("It's Plan B. Call me", ["It's Plan B.", "Call me"]),
        ("Nobody told me, did I. So call back", ["Nobody told me, did I.", "So call back"]),
        ("Nobody told me, did I. Anna will call", ["Nobody told me, did I.", "Anna will call"]),
        ("We're in building C. Your crew is late", ["We're in building C.", "Your crew is late"]),
    ],
)
def test_a_capital_ending_its_sentence_ends_its_cue(text: str, cues: list[str]) -> None:
    assert _cues(text) == cues


@pytest.mark.parametrize(
    "text",
    [
        "This is Anna J. Lee calling back",
        "This is Anna J. So calling back",
        "Ask Dr. J. Call to ring me",
        "Please ask J. R. Lee to call",
        "This is Will I. Lee calling back",
    ],
)
def test_an_initial_after_a_given_name_a_title_or_an_initial_stays_in_its_cue(text: str) -> None:
    assert _cues(text) == [text]
