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
