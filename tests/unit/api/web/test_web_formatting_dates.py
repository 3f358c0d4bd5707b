"""The inbox's "Dates mentioned": each mention as a person reads it."""

from __future__ import annotations

from api.web.formatting import NONE, dates


def test_the_dates_mentioned_read_with_capitals_and_at_before_a_clock() -> None:
    shown = dates(["december 12 15:30", "next tuesday", "after 14:00"])
    assert shown == "December 12 at 15:30, next Tuesday, after 14:00"


def test_no_dates_read_as_the_missing_value() -> None:
    assert dates([]) == NONE
