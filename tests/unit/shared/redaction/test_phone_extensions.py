"""An extension said straight after a phone number ("ext. 204", "extn 204", "extension two
oh four", "x204", "#204") is redacted with the number, in one token; the number's value is
the line's, so the caller stays recognisable with or without it."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

PHONES = RedactionPolicy(entities=[Entity.PHONE_NUMBER])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("call me at 415 555 0100 ext. 204", "call me at [PHONE_NUMBER]"),
        ("call me at 415 555 0100 ext 204, thanks", "call me at [PHONE_NUMBER], thanks"),
        ("call me at 415 555 0100 extension two oh four", "call me at [PHONE_NUMBER]"),
        ("call me at (415) 555-0100 x204.", "call me at [PHONE_NUMBER]."),
        ("my number is 415 555 0100 extension number 12", "my number is [PHONE_NUMBER]"),
        ("call me at 415 555 0100 extn 204.", "call me at [PHONE_NUMBER]."),
        ("call me at 415-555-0100 extn. 204", "call me at [PHONE_NUMBER]"),
        ("call me at 415 555 0100 #204.", "call me at [PHONE_NUMBER]."),
        ("call me at 415 555 0100 # 204, thanks", "call me at [PHONE_NUMBER], thanks"),
    ],
)
def test_an_extension_said_after_a_number_is_redacted_with_it(text: str, redacted: str) -> None:
    assert redact_text(text, PHONES).text == redacted


def test_the_extension_does_not_change_the_numbers_value() -> None:
    (span,) = find_spans("call me at 415 555 0100 ext. 204", PHONES)
    assert span.value == "+14155550100"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("call me at 415 555 0100 x ray results", "call me at [PHONE_NUMBER] x ray results"),
        ("call me at 415 555 0100, extension cord", "call me at [PHONE_NUMBER], extension cord"),
        ("the extension 204 is free", "the extension 204 is free"),
        ("we need an extension cord for 3 rooms", "we need an extension cord for 3 rooms"),
        (
            "call me at 415 555 0100. #2 on my list is the boiler",
            "call me at [PHONE_NUMBER]. #2 on my list is the boiler",
        ),
        ("ticket #204 is still open", "ticket #204 is still open"),
    ],
)
def test_ext_words_without_a_number_before_them_or_digits_after_stay(
    text: str, redacted: str
) -> None:
    assert redact_text(text, PHONES).text == redacted
