"""The JSONL export is one object per line for every reader: characters that Python's
str.splitlines() and other Unicode-aware readers take as line ends (U+2028, U+2029, NEL),
which a manifest item's metadata may hold, are written escaped, as JSON allows."""

from __future__ import annotations

import json

import pytest

from api.batch_exports import as_jsonl


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_unicode_line_separator_in_a_value_does_not_split_its_jsonl_record(
    separator: str,
) -> None:
    rows = [
        {"item_index": 0, "metadata": {"note": f"first{separator}second"}, "source": "José"},
        {"item_index": 1, "metadata": {}, "source": "b.wav"},
    ]

    text = b"".join(as_jsonl(iter(rows))).decode("utf-8")

    assert [json.loads(line) for line in text.splitlines()] == rows
    assert "José" in text  # other characters stay as they are, not \u escapes
