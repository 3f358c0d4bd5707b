"""A post office box ("P.O. Box 123", "PO Box 4567", "post office box twelve") is redacted
as a street address is; "box" alone with a number is an ordinary box."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import RedactionPolicy

EVERYTHING = RedactionPolicy()


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Send it to P.O. Box 123.", "Send it to [STREET_ADDRESS]."),
        ("mail PO Box 4567, Springfield", "mail [STREET_ADDRESS], Springfield"),
        ("it's post office box twelve", "it's [STREET_ADDRESS]"),
        ("p o box four five six seven please", "[STREET_ADDRESS] please"),
    ],
)
def test_a_po_box_is_redacted_as_an_address(text: str, redacted: str) -> None:
    assert redact_text(text, EVERYTHING).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "It's in box 12 of the archive.",
        "The PO number is 4567.",
        "I put the box on the porch.",
    ],
)
def test_a_box_that_is_no_post_office_box_is_kept(text: str) -> None:
    assert redact_text(text, EVERYTHING).text == text
