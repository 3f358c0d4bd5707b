"""The calendar date beside each day a caller mentioned, read against the moment the
voicemail was received in the deployment's time zone (api/web/mention_dates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from api.web.mention_dates import UNSURE, resolve, with_dates

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Friday 11 December 2026, 10:00 in London (GMT in winter: UTC too).
FRIDAY = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)


def _at(text: str, zone: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("monday 10:00", date(2026, 12, 14)),
        ("monday morning", date(2026, 12, 14)),
        ("thursday", date(2026, 12, 17)),
        ("today", date(2026, 12, 11)),
        ("tonight", date(2026, 12, 11)),
        ("tomorrow", date(2026, 12, 12)),
        ("tomorrow afternoon after 14:00", date(2026, 12, 12)),
        ("day after tomorrow", date(2026, 12, 13)),
        ("december 24 15:30", date(2026, 12, 24)),
        ("january 5", date(2027, 1, 5)),
        ("a week from monday", date(2026, 12, 21)),
        ("thursday the 17th", date(2026, 12, 17)),
    ],
)
def test_a_mentioned_day_is_the_date_it_names_from_the_day_it_was_received(
    mention: str, expected: date
) -> None:
    assert resolve(mention, FRIDAY, LONDON) == expected


@pytest.mark.parametrize(
    "mention",
    ["next week", "this weekend", "the end of the month", "14:00", "after 14:00", "asap"],
)
def test_a_mention_naming_no_single_day_is_given_no_date(mention: str) -> None:
    assert resolve(mention, FRIDAY, LONDON) is None


def test_a_weekday_said_on_that_weekday_could_be_today_or_a_week_on() -> None:
    assert resolve("friday 15:00", FRIDAY, LONDON) == UNSURE


def test_next_weekday_is_dated_only_where_the_coming_one_is_in_next_week_either_way() -> None:
    monday = _at("2026-12-14T09:00")
    wednesday = _at("2026-12-16T09:00")
    sunday = _at("2026-12-13T09:00")

    # Said on Monday, "next Tuesday" is tomorrow to some and the 22nd to others.
    assert resolve("next tuesday", monday, LONDON) == UNSURE
    # Said on Wednesday, the coming Tuesday is next week's whichever day weeks start on.
    assert resolve("next tuesday 15:30", wednesday, LONDON) == date(2026, 12, 22)
    # Said on Sunday, the coming Monday to Saturday are next week's only where weeks start
    # on Monday; the Sunday a week on is next week's either way.
    assert resolve("next monday", sunday, LONDON) == UNSURE
    assert resolve("next saturday", sunday, LONDON) == UNSURE
    assert resolve("next sunday", sunday, LONDON) == date(2026, 12, 20)


def test_tomorrow_is_read_in_the_deployments_time_zone_not_utc() -> None:
    # 22:30 in New York on Thursday 10 December is already Friday 03:30 in UTC.
    late = _at("2026-12-10T22:30", NEW_YORK)

    assert resolve("tomorrow", late, NEW_YORK) == date(2026, 12, 11)
    # Read in UTC it would be a call received at 03:30, in the small hours.
    assert resolve("tomorrow", late, ZoneInfo("UTC")) == UNSURE


def test_tomorrow_said_in_the_small_hours_could_be_the_day_just_begun() -> None:
    small_hours = _at("2026-12-11T00:40")

    assert resolve("tomorrow morning", small_hours, LONDON) == UNSURE
    assert resolve("today", small_hours, LONDON) == date(2026, 12, 11)


def test_tomorrow_on_the_last_day_of_the_month_or_year_rolls_over() -> None:
    assert resolve("tomorrow", _at("2026-11-30T16:00"), LONDON) == date(2026, 12, 1)
    assert resolve("tomorrow", _at("2026-12-31T16:00"), LONDON) == date(2027, 1, 1)
    assert resolve("monday", _at("2026-12-31T16:00"), LONDON) == date(2027, 1, 4)


def test_a_day_of_the_month_still_to_come_is_this_months() -> None:
    assert resolve("the 15th", _at("2026-12-03T10:00"), LONDON) == date(2026, 12, 15)
    assert resolve("the 3rd", _at("2026-12-03T10:00"), LONDON) == date(2026, 12, 3)


def test_the_5th_after_the_5th_has_passed_is_next_months_only_when_nearer_than_the_last() -> None:
    # On the 28th the next 5th, eight days on, is meant rather than one 23 days ago.
    assert resolve("the 5th", _at("2026-12-28T10:00"), LONDON) == date(2027, 1, 5)
    # On the 6th, "on the 5th" is as likely yesterday ("I paid on the 5th"): either.
    assert resolve("the 5th", _at("2026-12-06T10:00"), LONDON) == UNSURE
    assert resolve("the 5th", _at("2026-12-20T10:00"), LONDON) == UNSURE


def test_a_weekday_and_day_of_the_month_that_disagree_are_unsure() -> None:
    assert resolve("tuesday the 17th", FRIDAY, LONDON) == UNSURE


def test_the_page_shows_each_date_beside_the_words_and_a_year_only_when_another() -> None:
    shown = with_dates(
        ["monday 10:00", "next week", "january 5", "wednesday 16:00 to thursday 16:00", "friday"],
        FRIDAY,
        LONDON,
    )

    assert shown == (
        "Monday at 10:00 (Mon 14 Dec), next week, January 5 (Tue 5 Jan 2027), "
        "Wednesday at 16:00 (Wed 16 Dec) to Thursday at 16:00 (Thu 17 Dec), Friday (?)"
    )
    assert with_dates([], FRIDAY, LONDON) == "\u2013"


@pytest.mark.parametrize(
    ("mention", "shown"),
    [
        ("last monday", "last Monday (Mon 7 Dec)"),
        ("this past monday", "this past Monday (Mon 7 Dec)"),
        ("last friday 15:00", "last Friday at 15:00 (Fri 4 Dec)"),
        ("monday last week", "Monday last week (Mon 30 Nov)"),
        ("monday (past)", "Monday (past)"),
        ("the 3rd (past)", "the 3rd (past)"),
        ("monday to wednesday (past)", "Monday to Wednesday (past)"),
    ],
)
def test_a_day_gone_by_is_dated_before_the_call_or_not_at_all(mention: str, shown: str) -> None:
    # Said on Friday 11 December: never the coming Monday 14th beside a past visit.
    assert with_dates([mention], FRIDAY, LONDON) == shown


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        # Written with its year ("12/12/2026"): the one form that names its day for certain,
        # even one nearer in the past than ahead.
        ("december 12 2026 15:00", date(2026, 12, 12)),
        ("december 1 2026", date(2026, 12, 1)),
        ("january 5 2027", date(2027, 1, 5)),
    ],
)
def test_a_date_said_with_its_year_is_that_date(mention: str, expected: date) -> None:
    assert resolve(mention, FRIDAY, LONDON) == expected


@pytest.mark.parametrize("mention", ["2026-00-10", "2026-13-01", "february 30 2027"])
def test_a_date_the_calendar_has_not_is_given_none(mention: str) -> None:
    # Months are carried into the year only for "the 5th" of next month; an ISO date of
    # month 0 (a model's slip) is no day at all, not 10 December of the year before.
    assert resolve(mention, FRIDAY, LONDON) is None
