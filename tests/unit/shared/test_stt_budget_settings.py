"""The longest recording the API accepts is checked at start-up against what the offline
stt engine can transcribe within its soft time limit (shared.settings.stt_budget)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import Settings

FAKE_KEY = "sk-" + "test" * 8


def test_a_longest_recording_the_local_engine_cannot_transcribe_in_time_fails_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_API__MAX_DURATION_S", "2000")

    with pytest.raises(ValidationError) as refused:
        Settings()

    message = str(refused.value)
    assert "VOICEPIPE_API__MAX_DURATION_S" in message
    assert "VOICEPIPE_WORKERS__STT__SOFT_TIME_LIMIT_S" in message
    # 0.27 s a second measured, doubled: 2000 s needs 1080 s; 900 s holds 1666 s of audio.
    assert "at most 1666" in message
    assert "at least 1080" in message


def test_a_lowered_stt_limit_is_refused_while_the_default_longest_recording_stands() -> None:
    with pytest.raises(ValidationError, match=r"MAX_DURATION_S to at most 111\b"):
        Settings(workers={"stt": {"soft_time_limit_s": 60, "time_limit_s": 90}})


def _stt(soft: int, hard: int) -> dict[str, dict[str, int]]:
    return {"stt": {"soft_time_limit_s": soft, "time_limit_s": hard}}


@pytest.mark.parametrize(
    "settings",
    [
        {"api": {"max_duration_s": 1666}},
        {"api": {"max_duration_s": 2000}, "workers": _stt(1080, 1140)},
        {"api": {"max_duration_s": 111}, "workers": _stt(60, 90)},
    ],
)
def test_the_values_the_message_names_are_accepted(settings: dict[str, object]) -> None:
    Settings(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "providers",
    [
        {"stt": "local"},
        {"stt": "pocketsphinx"},
        {"stt": "moonshine"},
        {"stt": "hybrid"},
    ],
)
def test_every_offline_engine_fits_the_default_limits(providers: dict[str, str]) -> None:
    Settings(providers=providers, hybrid={"engines": ("local", "moonshine")})


def test_a_hybrid_of_two_offline_engines_is_planned_as_both_hearing_the_recording() -> None:
    # local 0.54 + moonshine 0.18 a second: 1666 s fits local alone, not both.
    with pytest.raises(ValidationError, match=r"'hybrid'.*at most 1250"):
        Settings(
            providers={"stt": "hybrid"},
            hybrid={"engines": ("local", "moonshine")},
            api={"max_duration_s": 1666},
        )


def test_a_cloud_engine_is_not_held_to_the_offline_engines_rate() -> None:
    settings = Settings(
        providers={"stt": "whisper"},
        openai={"api_key": FAKE_KEY},
        api={"max_duration_s": 3600},
        workers={"stt": {"soft_time_limit_s": 120, "time_limit_s": 150}},
    )

    assert settings.api.max_duration_s == 3600
