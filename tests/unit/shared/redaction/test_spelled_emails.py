"""An email address whose local part is spelled letter by letter, or ends in a number said
as words, is redacted whole: no letter of it is left before the token."""

from __future__ import annotations

import pytest

from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

EMAILS = RedactionPolicy(entities=[Entity.EMAIL_ADDRESS])


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.value) for s in find_spans(text, EMAILS)]


@pytest.mark.parametrize(
    ("text", "said", "address"),
    [
        ("It's m a r i a at gmail dot com", "m a r i a at gmail dot com", "maria@gmail.com"),
        (
            "My email is j o h n dot s m i t h at yahoo dot com.",
            "j o h n dot s m i t h at yahoo dot com",
            "john.smith@yahoo.com",
        ),
        (
            "Email me at M-A-R-I-A at gmail dot com.",
            "M-A-R-I-A at gmail dot com",
            None,
        ),
        (
            "Write to me at maria lopez eighty two at outlook dot com.",
            "maria lopez eighty two at outlook dot com",
            "marialopezeighty2@outlook.com",
        ),
    ],
)
def test_a_spelled_local_part_is_redacted_to_its_first_letter(
    text: str, said: str, address: str | None
) -> None:
    found = _found(text)

    assert [span for span, _ in found] == [said]
    assert address is None or found[0][1] == address


def test_a_cue_written_with_s_is_not_taken_into_the_address() -> None:
    assert _found("My email's john at gmail dot com") == [
        ("john at gmail dot com", "john@gmail.com")
    ]


def test_the_pronoun_before_a_spelled_address_is_not_part_of_it() -> None:
    text = "If I k l m at gmail dot com, will you answer"

    assert _found(text) == [("k l m at gmail dot com", "klm@gmail.com")]
