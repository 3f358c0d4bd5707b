from __future__ import annotations

import pytest

from shared.language.dates import find_dates
from shared.language.tokens import tokenize


def _dates(text: str) -> list[str]:
    return find_dates(tokenize(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at three in the afternoon", ["15:00"]),
        ("tomorrow at 3pm", ["tomorrow 15:00"]),
        ("at 10 30", ["10:30"]),
        ("at ten thirty in the morning", ["10:30"]),
        ("around noon", ["12:00"]),
        ("at 9:15 a.m.", ["09:15"]),
        ("seven p m", ["19:00"]),
        ("at eight tonight", ["tonight 20:00"]),
        ("at five o'clock", ["17:00"]),
    ],
)
def test_clock_times_are_normalised_to_24_hours(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


def test_bare_afternoon_hours_are_taken_as_business_hours() -> None:
    assert _dates("can you call me at three") == ["15:00"]


def test_day_and_time_said_together_become_one_mention() -> None:
    assert _dates("next tuesday at 3 pm works") == ["next tuesday 15:00"]


def test_time_before_its_day_is_joined_too() -> None:
    assert _dates("at three on friday") == ["friday 15:00"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("march the fifth", ["march 5"]),
        ("the twenty first of june", ["june 21"]),
        ("on Jan 3rd", ["january 3"]),
        ("september 30", ["september 30"]),
    ],
)
def test_month_and_day_are_normalised(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


def test_relative_days_and_weekdays_keep_order_of_appearance() -> None:
    assert _dates("not today maybe tomorrow or next week or monday") == [
        "today",
        "tomorrow",
        "next week",
        "monday",
    ]


def test_may_as_a_verb_is_not_a_date() -> None:
    assert _dates("you may call me back") == []


def test_numbers_without_a_time_cue_are_not_times() -> None:
    assert _dates("i have two kids and after two weeks") == []


@pytest.mark.parametrize(
    "text",
    [
        "it came back after 1 day",
        "it got worse after 3 attempts",
        "after 2 calls nobody rang me back",
        "it eased after two doses",
        "there's around 3 inches of water in the kitchen",
        "I paid half one month and the rest the next",
    ],
)
def test_a_number_that_counts_a_thing_after_a_time_cue_is_no_time(text: str) -> None:
    assert _dates(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please call me back after 2 or 3 days", []),
        ("we'll be between 9 and 11 people on Saturday", ["saturday"]),
        ("it's been sore for about 2 to 3 weeks", []),
        ("the quote was for between two and three thousand", []),
        ("call me after 2 or 3 this afternoon", ["after 14:00", "this afternoon"]),
    ],
)
def test_a_number_counting_things_with_another_is_no_time(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


def test_skipped_phone_digits_are_not_read_as_times() -> None:
    tokens = tokenize("call me at five five five one two three four")
    assert find_dates(tokens, [range(3, 10)]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next Tuesday at half past three if you have anything", ["next tuesday 15:30"]),
        ("for tomorrow at quarter to four with Dr. Patel", ["tomorrow 15:45"]),
        ("can i rebook for next thursday at quarter past ten", ["next thursday 10:15"]),
        ("at three on tuesday can we make it half three instead", ["tuesday 15:00", "15:30"]),
        ("a quarter to one", ["12:45"]),
        ("half past 9 in the morning", ["09:30"]),
    ],
)
def test_a_time_said_with_its_hour_last_is_read(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    "text", ["half an hour late", "a quarter of the bill", "cut it in half two times"]
)
def test_half_and_quarter_of_other_things_are_no_times(text: str) -> None:
    assert _dates(text) == []


def test_a_quarter_of_an_amount_is_no_time() -> None:
    assert _dates("gone from ninety pounds a quarter to three hundred and ten") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have an appointment on the 5th at 9:00", ["the 5th 09:00"]),
        (
            "reschedule my cleaning from the fifteenth to the twenty second",
            ["the 15th to the 22nd"],
        ),
        (
            "confirm my appointment with Priya on Thursday the 18th at 2:45",
            ["thursday the 18th 14:45"],
        ),
        ("my appointment on the third", ["the 3rd"]),
        (
            "I'm away from the 3rd to the 10th, can I book a cleaning for the 12th?",
            ["the 3rd to the 10th", "the 12th"],
        ),
        ("Can I come in on Friday the 5th? I'm free after 3.", ["friday the 5th", "after 15:00"]),
        (
            "move my friday the twelfth appointment to monday the fifteenth",
            ["friday the 12th", "monday the 15th"],
        ),
    ],
)
def test_a_day_of_the_month_said_without_its_month_is_a_date(
    text: str, expected: list[str]
) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "this is the third time I've rung",
        "the dentist on the first floor",
        "for the third morning running",
        "please halt the order for the second till",
        "we moved from the 2nd to the 5th floor last month",
        "the office is on the 2nd and 3rd floors",
        "put it on the 2nd or 3rd shelf",
        "can I change from the 1st to the 2nd option",
    ],
)
def test_an_ordinal_that_names_no_day_is_no_date(text: str) -> None:
    assert _dates(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Any time after 2 works for me this week", ["after 14:00", "this week"]),
        ("Between 9 and 11 would be ideal", ["between 09:00 and 11:00"]),
        ("tomorrow between 8 and 10 in the morning", ["tomorrow between 08:00 and 10:00"]),
        ("I'm free Monday through Wednesday before noon", ["monday", "wednesday before 12:00"]),
        ("call me before eight tonight", ["tonight before 20:00"]),
    ],
)
def test_a_time_given_as_a_bound_keeps_its_bound(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuesday or Wednesday morning would be best", ["tuesday", "wednesday morning"]),
        ("I'd like to book for Friday afternoon", ["friday afternoon"]),
        ("next tuesday evening at 6", ["next tuesday evening 18:00"]),
        (
            "push it to first thing tomorrow if there's anything, otherwise end of the week",
            ["first thing tomorrow", "end of the week"],
        ),
        ("could we move it to the week after", ["the week after"]),
        (
            "at 10:30 on Monday, can I rebook for a week from Monday",
            ["monday 10:30", "a week from monday"],
        ),
    ],
)
def test_days_said_as_a_receptionist_hears_them_are_kept_whole(
    text: str, expected: list[str]
) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("december 12 15:30", "December 12 at 15:30"),
        ("next tuesday 15:30", "next Tuesday at 15:30"),
        ("monday", "Monday"),
        ("thursday the 18th 14:45", "Thursday the 18th at 14:45"),
        ("after 14:00", "after 14:00"),
        ("today between 09:00 and 11:00", "today between 09:00 and 11:00"),
        ("10:00", "10:00"),
        ("wednesday 16:00 to thursday 16:00", "Wednesday at 16:00 to Thursday at 16:00"),
    ],
)
def test_a_mention_is_shown_with_capitals_and_at_before_its_clock(value: str, shown: str) -> None:
    from shared.language.dates import shown_date

    assert shown_date(value) == shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I need to move my appointment from Wednesday at 4 to Thursday at 4, same time.",
            ["wednesday 16:00 to thursday 16:00"],
        ),
        ("can you move me from monday to wednesday please", ["monday to wednesday"]),
        ("we're away from the 3rd until the 10th", ["the 3rd to the 10th"]),
        ("I have Monday at 10 or Tuesday at 2", ["monday 10:00", "tuesday 14:00"]),
    ],
)
def test_a_mention_said_from_one_day_to_another_is_one_mention(
    text: str, expected: list[str]
) -> None:
    assert _dates(text) == expected
