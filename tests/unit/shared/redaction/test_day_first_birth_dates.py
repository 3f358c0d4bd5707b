"""A date of birth said or written day first, as most of the world says one ("3 March
1985", "three march nineteen eighty five"), is redacted as "March 3rd, 1985" is."""

from __future__ import annotations

import pytest

from shared.redaction.apply import redact_text
from shared.redaction_policy import Entity, RedactionPolicy

BIRTHS = RedactionPolicy(entities=[Entity.DATE_OF_BIRTH])


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Date of birth is 3 March 1985.", "Date of birth is [DATE_OF_BIRTH]."),
        ("My birthday is 3 March 1985, thanks.", "My birthday is [DATE_OF_BIRTH], thanks."),
        ("I was born 21 Dec 1990.", "I was born [DATE_OF_BIRTH]."),
        (
            "my date of birth is three march nineteen eighty five",
            "my date of birth is [DATE_OF_BIRTH]",
        ),
    ],
)
def test_a_day_first_date_of_birth_is_redacted(text: str, redacted: str) -> None:
    assert redact_text(text, BIRTHS).text == redacted


def test_a_day_first_date_hashes_as_the_same_date_said_month_first() -> None:
    day_first = redact_text("Date of birth 3 March 1985.", BIRTHS).spans
    month_first = redact_text("Date of birth March 3rd 1985.", BIRTHS).spans
    assert [s.value for s in day_first] == [s.value for s in month_first] == ["1985-03-03"]


def test_a_number_before_a_month_without_a_birth_cue_is_kept() -> None:
    text = "The meeting is on 3 March 1985 at the office."
    assert redact_text(text, BIRTHS).text == text
