"""The written-transcript check of `make quality`: the triage rules scored field by field."""

from __future__ import annotations

import json
from pathlib import Path

import phonenumbers

from shared.intents import INTENTS
from tests.quality.speak_written import spoken
from tests.quality.written import CALLERS, WRITTEN, WrittenMiss, score_written


def test_each_field_is_scored_on_its_own_and_every_miss_is_listed(tmp_path: Path) -> None:
    text = "Hi, this is Dana Whitaker, the sink is leaking. Call me at 415-867-2291."
    entries = [
        {"id": "w1", "region": "US", "text": text, "expected": {
            "caller_name": "dana whitaker", "callback_number": "+14158672291",
            "intent": "repair", "urgency": "high"}},
        {"id": "w2", "region": "US", "text": text, "expected": {
            "caller_name": "Dana Whitaker", "callback_number": None,
            "intent": "billing", "urgency": "high"}},
    ]  # fmt: skip
    path = tmp_path / "written.json"
    path.write_text(json.dumps(entries), encoding="utf-8")

    shares, misses = score_written(path)

    assert shares == {"caller_name": 1.0, "callback_number": 0.5, "intent": 0.5, "urgency": 1.0}
    assert misses == [
        WrittenMiss("w2", "callback_number", "+14158672291", None),
        WrittenMiss("w2", "intent", "repair", "billing"),
    ]


def test_the_written_set_is_whole() -> None:
    entries = json.loads(WRITTEN.read_text(encoding="utf-8"))

    assert len(entries) == 130
    assert len({entry["id"] for entry in entries}) == 130
    for entry in entries:
        assert set(entry["expected"]) == {"caller_name", "callback_number", "intent", "urgency"}


def test_the_callers_set_is_whole_with_valid_numbers_and_half_held_out() -> None:
    entries = json.loads(CALLERS.read_text(encoding="utf-8"))

    assert len({entry["id"] for entry in entries}) == len(entries) == 150
    assert sum(entry["held_out"] for entry in entries) == 75
    for entry in entries:
        expected = entry["expected"]
        assert expected["intent"] in INTENTS
        assert expected["urgency"] in {"low", "normal", "high"}
        if number := expected["callback_number"]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(number)), entry["id"]


def test_a_numbers_digits_are_spoken_one_by_one_in_their_groups() -> None:
    said = spoken("Call me at 617-209-5531, or on 0131 496 0218 at 10 am.")

    assert said == (
        "Call me at six one seven, two oh nine, five five three one, or on "
        "oh one three one, four nine six, oh two one eight at 10 am."
    )
