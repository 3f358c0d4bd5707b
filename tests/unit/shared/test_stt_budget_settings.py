"""The longest recording the API accepts is checked at start-up against what the offline
stt engine can transcribe within its soft time limit (shared.settings.stt_budget)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import Settings
from shared.settings.stt_budget import recording_problem

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


# A cloud default, which start-up does not check, and a 5 s stt limit: the local engine, at
# 0.54 s a second of audio (0.27 measured, doubled), finishes at most 9 s of it in time.
CLOUD = {"providers": {"stt": "whisper"}, "openai": {"api_key": FAKE_KEY}, "workers": _stt(5, 10)}


def test_a_recording_longer_than_a_chosen_offline_engine_finishes_in_time_is_a_problem() -> None:
    problem = recording_problem(Settings(**CLOUD), "local", 10.0)  # type: ignore[arg-type]

    assert problem is not None
    assert "'local'" in problem
    assert "10.0 s long" in problem
    assert "at most 9 s" in problem
    assert "'whisper'" in problem


@pytest.mark.parametrize(
    ("engine", "duration_s"),
    [
        ("local", 9.0),  # within the limit
        (None, 3600.0),  # the deployment's own engine
        ("whisper", 3600.0),  # named, still the deployment's own
        ("claude", 3600.0),  # a cloud engine: its time is the vendor's
        ("moonshine", 27.0),  # 0.18 s a second: 27 s takes 4.9 s
    ],
)
def test_what_start_up_checked_and_what_fits_are_no_problem(
    engine: str | None, duration_s: float
) -> None:
    assert recording_problem(Settings(**CLOUD), engine, duration_s) is None  # type: ignore[arg-type]


def test_an_offline_default_is_judged_for_another_offline_engine_a_job_chooses() -> None:
    # moonshine is the default, checked at start: 20 s takes it 3.6 s; local, chosen, 10.8 s.
    settings = Settings(
        providers={"stt": "moonshine"},  # type: ignore[arg-type]
        api={"max_duration_s": 20},  # type: ignore[arg-type]
        workers=_stt(5, 10),  # type: ignore[arg-type]
    )

    assert recording_problem(settings, "moonshine", 20.0) is None
    assert recording_problem(settings, "local", 20.0) is not None
