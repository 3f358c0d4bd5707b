"""A UK bank's sort code said after its cue ("sort code 40-12-76") is bank details, redacted
as the account number it goes with is (``account_number``)."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

ACCOUNTS = RedactionPolicy(entities=[Entity.ACCOUNT_NUMBER])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("sort code 40-12-76", "sort code [ACCOUNT_NUMBER]"),
        ("My sort code is 40 12 76, thanks.", "My sort code is [ACCOUNT_NUMBER], thanks."),
        ("the sort code is 401276", "the sort code is [ACCOUNT_NUMBER]"),
        ("sort code four oh one two seven six", "sort code [ACCOUNT_NUMBER]"),
        ("the sort code's 40-12-76", "the sort code's [ACCOUNT_NUMBER]"),
        (
            "sort code 40-12-76 and account number 31926819",
            "sort code [ACCOUNT_NUMBER] and account number [ACCOUNT_NUMBER]",
        ),
    ],
)
def test_a_sort_code_after_its_cue_is_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, ACCOUNTS).text == redacted


def test_one_sort_code_is_one_value_however_it_is_written() -> None:
    said = redact_text("sort code four oh one two seven six", ACCOUNTS).spans
    written = redact_text("sort code 40-12-76", ACCOUNTS).spans
    assert [s.value for s in said] == [s.value for s in written] == ["401276"]


@pytest.mark.parametrize("text", ["Sort the code out by 12", "we sorted 40 12 76 boxes"])
def test_numbers_without_the_cue_are_kept(text: str) -> None:
    assert redact_text(text, ACCOUNTS).text == text
