"""Typed text is checked for characters no message holds before it becomes a job."""

from __future__ import annotations

import pytest

from shared.errors import MediaRejected
from shared.text_input import validated_text


@pytest.mark.parametrize("text", ["Hello \x00 world", "bell\x07", "del\x7f", "nel\x85", "\ud800"])
def test_a_control_character_in_typed_text_is_refused_with_400_naming_the_field(
    text: str,
) -> None:
    with pytest.raises(MediaRejected) as refused:
        validated_text(text, 1000, "input")

    assert refused.value.code == "invalid_text"
    assert refused.value.status_code == 400
    assert "'input' field" in refused.value.message


def test_tabs_newlines_and_carriage_returns_are_kept_in_typed_text() -> None:
    meta, data = validated_text("Hi,\r\n\tcall me back é 👍", 1000)

    assert data == "Hi,\r\n\tcall me back é 👍".encode()
    assert meta.kind == "text"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Call me on \u202e1234 5678", "U+202E"),  # a right-to-left override: "8765 4321"
        ("Call me\u2066 back\u2069", "U+2066"),  # a bidi isolate
        ("Call\u200b me back", "U+200B"),  # a zero-width space
        ("\ufeffCall me back", "U+FEFF"),  # a byte order mark
    ],
)
def test_a_bidi_override_or_invisible_character_in_a_text_job_is_refused_naming_it(
    text: str, shown: str
) -> None:
    # Before, the job was made: the text became its transcript, and a person reading the
    # inbox, an export or a webhook saw the number reversed, or words no search finds.
    with pytest.raises(MediaRejected) as refused:
        validated_text(text, 1000)

    assert refused.value.code == "invalid_text"
    assert refused.value.status_code == 400
    assert shown in refused.value.message
    assert "'text' field" in refused.value.message


def test_a_text_of_nothing_but_invisible_marks_is_empty() -> None:
    # Before, it became a job with nothing to reply to (zero-width joiners and direction
    # marks are not whitespace to str.strip).
    with pytest.raises(MediaRejected) as refused:
        validated_text(" \u200d\u200e\u200c ", 1000)

    assert refused.value.code == "empty_text"


def test_the_marks_written_language_needs_are_kept_in_a_text_job() -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200fhi"  # ZWNJ and RLM
    meta, data = validated_text(persian, 1000)

    assert data == persian.encode()
    assert meta.kind == "text"
