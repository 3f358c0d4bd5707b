"""An account, member, policy or case number written as a transcript writes it, its
letters in capitals apart from its digits or hyphened onto them ("XJ 48213", "WX-48213"),
is redacted whole, letters and all."""

from __future__ import annotations

import pytest

from shared.redaction.detect import find_spans
from shared.redaction_policy import Entity, RedactionPolicy

EVERYTHING = RedactionPolicy()


def _found(text: str) -> list[tuple[Entity, str, str]]:
    return [(s.entity, text[s.start : s.end], s.value) for s in find_spans(text, EVERYTHING)]


@pytest.mark.parametrize(
    ("text", "said", "value"),
    [
        ("My member ID is XJ 48213.", "XJ 48213", "XJ48213"),
        ("The order number is WX-48213.", "WX-48213", "WX48213"),
        ("The policy number is PR 7741290.", "PR 7741290", "PR7741290"),
        ("The case number is 2024 CV 00381.", "2024 CV 00381", "CV202400381"),
        ("My claim number is AB 12 345 678, thanks.", "AB 12 345 678", "AB12345678"),
    ],
)
def test_an_account_number_with_written_capital_letters_is_redacted_whole(
    text: str, said: str, value: str
) -> None:
    assert _found(text) == [(Entity.ACCOUNT_NUMBER, said, value)]


@pytest.mark.parametrize(
    "text",
    [
        "My account number is 482139 OK.",
        "The policy number is 774129 AND that is all.",
    ],
)
def test_a_capitalised_word_after_the_number_is_not_taken_into_it(text: str) -> None:
    assert [said for _, said, _ in _found(text)] == [text.split(" is ")[1].split(" ")[0]]


def test_a_lower_case_word_or_a_short_number_after_the_cue_is_still_no_account() -> None:
    assert _found("My account was charged 20 dollars by the US office.") == []
