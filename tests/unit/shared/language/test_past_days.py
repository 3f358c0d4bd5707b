"""A day the caller speaks of as gone by is kept as such, never as the coming one
(shared/language/past_days.py through find_dates)."""

from __future__ import annotations

import pytest

from shared.language.dates import find_dates, shown_date
from shared.language.tokens import tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was in last Monday and the man was rude", ["last monday"]),
        ("This past Friday at 3 the door was locked", ["this past friday 15:00"]),
        ("I came in on Monday last week", ["monday last week"]),
        ("Last week on Tuesday I rang twice", ["tuesday last week"]),
        ("We came in on Monday and it was closed", ["monday (past)"]),
        ("I paid online on the fifth, it still shows overdue", ["the 5th (past)"]),
        ("I left my laptop with you on Thursday for the keyboard", ["thursday (past)"]),
    ],
)
def test_a_day_gone_by_is_kept_as_gone_by(text: str, expected: list[str]) -> None:
    assert find_dates(tokenize(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can I come in on Monday at 3", ["monday 15:00"]),
        ("The car park will be closed on Saturday", ["saturday"]),
        ("I was hoping to come in on Sunday", ["sunday"]),
        ("I placed an order last week for Saturday", ["saturday"]),
        ("Any spaces left in the kids class Saturday", ["saturday"]),
        ("The lad said Thursday, is it still on track", ["thursday"]),
        ("We're open on the last Friday of the month", ["friday"]),
    ],
)
def test_a_day_still_to_come_is_left_as_said(text: str, expected: list[str]) -> None:
    assert find_dates(tokenize(text)) == expected


def test_a_day_told_in_the_past_is_shown_with_its_time_as_any_other() -> None:
    # Before: "Monday 15:00 (past)", where an unmarked one reads "Monday at 15:00".
    assert shown_date("monday 15:00 (past)") == "Monday at 15:00 (past)"
    assert shown_date("the 5th (past)") == "the 5th (past)"
