from __future__ import annotations

import pytest

from shared.language.dates import find_dates
from shared.language.tokens import tokenize


def _dates(text: str) -> list[str]:
    return find_dates(tokenize(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'd like to book a cleaning, we're at 9 hawthorn close", []),
        ("can someone come round tomorrow, I live at twelve Harbor Lane", ["tomorrow"]),
        ("please come by 12 harbor lane", []),
        ("we're at 4 Oak Road", []),
        ("i'm at 7 saint james terrace on friday", ["friday"]),
        ("we're at number 9, the one with the blue door", []),
        ("i live at number ten", []),
    ],
)
def test_a_house_number_is_no_time_of_day(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("come at 9 tomorrow, the road is closed", ["tomorrow 09:00"]),
        ("at 3 on main street", ["15:00"]),
        ("at 9 in the morning at 4 oak road", ["09:00"]),
        ("at 10 o'clock lane closures permitting", ["10:00"]),
        ("can you come at 2 we can drive over after", ["14:00"]),
    ],
)
def test_a_time_said_near_a_street_is_still_a_time(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


def test_a_way_of_doing_something_is_no_street() -> None:
    said = "Your tech's down to come Thursday between eight and twelve. Any way we could move it?"
    assert _dates(said) == ["thursday between 08:00 and 12:00"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the neighbour at eleven has a key if we're out", []),
        ("my neighbor at 12 has a spare key, come friday", ["friday"]),
        ("the neighbours at 14 are home all day", []),
    ],
)
def test_a_neighbours_house_number_is_no_time_of_day(text: str, expected: list[str]) -> None:
    assert _dates(text) == expected


def test_a_neighbour_seen_at_an_hour_said_as_one_is_still_a_time() -> None:
    assert _dates("the neighbour at eleven o'clock said the water was off") == ["11:00"]
