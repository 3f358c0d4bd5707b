from __future__ import annotations

import pytest

from shared.language.dates import find_dates, shown_date
from shared.language.tokens import tokenize
from workers.triage.reply import speak_date


def _dates(text: str, region: str = "US") -> list[str]:
    return find_dates(tokenize(text), region=region)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd like to book a cleaning in two weeks", ["in two weeks"]),
        ("can you fit me in in 2 weeks' time", ["in two weeks"]),
        ("the part should arrive in a few days", ["in a few days"]),
        ("check back with me in a month", ["in a month"]),
        ("we'll be back in three days please book us", ["in three days"]),
    ],
)
def test_a_day_counted_from_the_call_is_a_mention(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    "text",
    ["I was in two weeks ago", "it broke down in two days flat after you fixed it"],
)
def test_a_count_of_days_past_or_as_a_length_is_no_mention(text: str) -> None:
    assert _dates(text) == []


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("can I book a table for 12/12 at 7pm", "US", ["december 12 19:00"]),
        ("an appointment on 12/12/2026 please", "US", ["december 12 2026"]),
        ("is 3/4 free", "US", ["march 4"]),
        ("is 3/4 free", "GB", ["april 3"]),
        ("on 24/12 if you can", "US", ["december 24"]),
    ],
)
def test_a_date_written_in_digits_is_read_by_the_region_s_order(
    text: str, region: str, expected: list[str]
) -> None:
    assert _dates(text, region) == expected


def test_a_fraction_is_no_date() -> None:
    assert _dates("we've paid 40/50 of it") == []


@pytest.mark.parametrize(
    "text",
    [
        "my 3/4 inch valve is leaking",
        "the tank is 3/4 full",
        "it's been leaking for 1/2 an hour",
        "about 3/4 of the radiators are cold",
        "we're a 24/7 care home and the heating is off",
        "is your emergency line 24/7",
    ],
)
def test_a_measure_or_round_the_clock_written_with_a_slash_is_no_date(text: str) -> None:
    # Before: "march 4", "january 2" and "july 24", offered back as "We've made a note of
    # March fourth" to a plumber's caller with a 3/4 inch valve.
    assert _dates(text) == []
    assert _dates(text, "GB") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("booked for 6/14 a morning slot please", ["june 14"]),
        ("the engineer came on 12/11 a week ago", ["december 11"]),
        ("we paid on 10/11 of last year", ["october 11"]),
    ],
)
def test_a_date_followed_by_a_or_of_is_still_a_date_where_it_is_no_fraction(
    text: str, expected: list[str]
) -> None:
    # Only a fraction's halves, thirds, quarters, eighths and sixteenths measure something.
    assert [d.removesuffix(" (past)") for d in _dates(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("could I come in the morning of the 14th", ["the morning of the 14th"]),
        ("on the afternoon of the 3rd at 2", ["the afternoon of the 3rd 14:00"]),
        ("the evening of March 5th", ["the evening of march 5"]),
        ("the morning of Friday", ["friday morning"]),
    ],
)
def test_a_part_of_a_day_of_the_month_is_one_mention(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


def test_the_new_mentions_are_said_and_shown_as_a_person_would() -> None:
    assert speak_date("december 12 2026") == "December twelfth twenty twenty six"
    assert shown_date("december 12 2026") == "December 12, 2026"
    assert speak_date("the morning of the 14th 10:00") == "the morning of the fourteenth at ten"
    assert speak_date("in two weeks") == "in two weeks"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a visit in a week or two would be fine", ["in a week or two"]),
        ("can I have a check-up in two or three weeks", ["in two or three weeks"]),
    ],
)
def test_a_count_given_as_a_range_is_kept_whole(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the tracking hasn't moved in six days",
        "nobody has collected the bins in a month",
        "he's lost a lot of weight in a week",
        "she's had four tutors in six weeks",
    ],
)
def test_time_gone_by_is_no_day_to_come(text: str) -> None:
    assert _dates(text) == []
