"""Prices (VOICEPIPE_PRICES__*) are finite: a cost is a number a client can add up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import Settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VOICEPIPE_PRICES__CPU_PER_HOUR", "inf"),
        ("VOICEPIPE_PRICES__CPU_PER_HOUR", "nan"),
        ("VOICEPIPE_PRICES__AUDIO_PER_MINUTE", '{"whisper": "Infinity"}'),
        ("VOICEPIPE_PRICES__CHARACTERS_PER_MILLION", '{"elevenlabs": "NaN"}'),
    ],
)
def test_a_price_that_is_no_finite_number_is_a_setting_error(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # Infinity was accepted before (only >= 0 was checked; nan failed that check, saying
    # less plainly why): every job's usage_cost then read Infinity, which JSON cannot carry
    # (written as null, or refused by a strict parser).
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match="finite number"):
        Settings()


def test_a_finite_price_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_PRICES__CPU_PER_HOUR", "0.05")

    assert Settings().prices.cpu_per_hour == 0.05
