from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import Settings
from shared.settings.names import sections_of, unknown_variables
from shared.settings.services import without_password


def test_defaults_describe_the_embedded_offline_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()

    assert settings.storage.backend == "local"
    assert (settings.providers.stt, settings.providers.llm, settings.providers.tts) == (
        "local",
        "local",
        "local",
    )
    assert settings.broker.embedded


def test_nested_values_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_STORAGE__BACKEND", "s3")
    monkeypatch.setenv("VOICEPIPE_WORKERS__LLM__CONCURRENCY", "64")

    settings = Settings()

    assert settings.storage.backend == "s3"
    assert settings.workers.llm.concurrency == 64


def test_a_misspelled_nested_setting_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_STORAGE__BAKCEND", "s3")

    with pytest.raises(ValidationError, match=r"BAKCEND|bakcend"):
        Settings()


def test_broker_url_must_be_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_BROKER__URL", "amqp://guest@localhost//")

    with pytest.raises(ValidationError, match="redis://"):
        Settings()


def test_a_unix_socket_broker_url_is_refused_at_start_with_what_to_give_instead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_BROKER__URL", "unix:///run/valkey.sock")
    with pytest.raises(ValidationError, match=r"unix sockets are not supported.*redis://host"):
        Settings()


@pytest.mark.parametrize("value", ["0", "0.1", "61", "soon"])
def test_the_apis_broker_budget_outside_half_a_second_to_a_minute_is_a_setting_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("VOICEPIPE_BROKER__API_TIMEOUT_S", value)
    with pytest.raises(ValidationError, match="api_timeout_s"):
        Settings()


def test_soft_time_limit_must_be_below_hard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_WORKERS__STT__SOFT_TIME_LIMIT_S", "400")
    monkeypatch.setenv("VOICEPIPE_WORKERS__STT__TIME_LIMIT_S", "300")

    with pytest.raises(ValidationError, match="soft_time_limit_s must be below"):
        Settings()


def test_min_duration_must_be_below_max(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_API__MIN_DURATION_S", "10")
    monkeypatch.setenv("VOICEPIPE_API__MAX_DURATION_S", "5")

    with pytest.raises(ValidationError, match="min_duration_s must be below"):
        Settings()


def test_public_url_defaults_to_a_reachable_host() -> None:
    settings = Settings(api={"host": "0.0.0.0", "port": 9000}, auth={"keys": ["t:" + "0" * 64]})

    assert settings.api.base_url == "http://127.0.0.1:9000"


def test_visibility_timeout_must_outlast_the_longest_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_BROKER__VISIBILITY_TIMEOUT_S", "100")

    with pytest.raises(ValidationError, match="visibility_timeout_s"):
        Settings()


def test_the_longest_retry_wait_and_stage_run_must_end_within_the_visibility_timeout() -> None:
    # A retry's countdown is held unacknowledged by the worker that took it, then run: past
    # the visibility timeout the broker hands the message out again, and the stage ran twice.
    with pytest.raises(ValidationError, match=r"retries\.max_retry_after_s"):
        Settings(retries={"max_retry_after_s": 3000})
    with pytest.raises(ValidationError, match=r"retries\.max_delay_s"):
        Settings(retries={"max_delay_s": 3000})

    fits = Settings(retries={"max_retry_after_s": 2000}, broker={"visibility_timeout_s": 3600})
    assert fits.retries.longest_wait_s == pytest.approx(2200)


@pytest.mark.parametrize(
    ("pool", "limits"),
    [("stt", (900, 960)), ("llm", (120, 150)), ("ingest", (600, 660)), ("webhooks", (60, 90))],
)
def test_setting_one_field_of_a_pool_keeps_that_pools_other_defaults(
    monkeypatch: pytest.MonkeyPatch, pool: str, limits: tuple[int, int]
) -> None:
    # As compose does for stt: one variable must not reset the pool's time limits.
    monkeypatch.setenv(f"VOICEPIPE_WORKERS__{pool.upper()}__CONCURRENCY", "2")

    settings = getattr(Settings().workers, pool)

    assert settings.concurrency == 2
    assert (settings.soft_time_limit_s, settings.time_limit_s) == limits


@pytest.mark.parametrize(
    "fields",
    [{"api": {"port": 70000}}, {"flower": {"port": 0}}, {"broker": {"url": "redis://h:99999/0"}}],
)
def test_a_port_outside_0_to_65535_is_a_setting_error_not_a_crash_at_bind(
    fields: dict[str, dict[str, object]],
) -> None:
    # Before, `voicepipe up` got as far as binding and died with an OverflowError traceback.
    with pytest.raises(ValidationError):
        Settings(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("variable", "meant"),
    [
        ("VOICEPIPE_STORAGE_BACKEND", "VOICEPIPE_STORAGE__BACKEND"),  # one underscore
        ("VOICEPIPE_WORKER__STT__CONCURRENCY", "VOICEPIPE_WORKERS__STT__CONCURRENCY"),
        ("voicepipe_log_levle", "VOICEPIPE_LOG_LEVEL"),  # read case-insensitively
    ],
)
def test_a_prefixed_variable_that_names_no_setting_is_refused_with_the_one_it_meant(
    monkeypatch: pytest.MonkeyPatch, variable: str, meant: str
) -> None:
    # Before, pydantic-settings passed over it: storage stayed local without a word.
    monkeypatch.setenv(variable, "s3")

    with pytest.raises(
        ValidationError, match=rf"{variable} is not a setting \(did you mean {meant}\?\)"
    ):
        Settings()


def test_an_unknown_name_far_from_every_setting_is_refused_without_a_guess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_SOMETHING_ELSE", "1")

    with pytest.raises(ValidationError, match=r"VOICEPIPE_SOMETHING_ELSE is not a setting(?! \()"):
        Settings()


@pytest.mark.parametrize(
    "variable",
    [
        "VOICEPIPE_DATA_DIR",
        "VOICEPIPE_PRICES__AUDIO_PER_MINUTE",  # a dict field: its keys are its own
        "VOICEPIPE_STORAGE",  # a whole section as JSON, as child processes receive it
    ],
)
def test_every_kind_of_real_setting_name_passes_the_check(variable: str) -> None:
    assert unknown_variables([variable], sections_of(Settings)) == []


def test_without_secrets_replaces_every_key_and_password_but_not_short_values() -> None:
    whsec = "whsec_" + "A" * 32
    # Made up, and built so that no secret scanner takes the source for a real key.
    anthropic_key = "sk-ant-" + "api03-abcdefgh"
    settings = Settings(
        anthropic={"api_key": anthropic_key},
        elevenlabs={"api_key": "xi-1234567890"},
        webhooks={"secrets": [f"acme:{whsec}"]},
        openai={"api_key": "short"},
        storage={"s3_secret_access_key": "minio-" + "storage-pw"},
    )

    told = settings.without_secrets(
        f"key {anthropic_key}, xi-1234567890, minio-storage-pw and {whsec}; a short word stays"
    )

    assert told == "key [redacted], [redacted], [redacted] and [redacted]; a short word stays"


@pytest.mark.parametrize(
    "url",
    [
        "redis://:s3cr3t-broker-pw@127.0.0.1:99999/0",  # a port out of range
        "redis://user:s3cr3t-broker-pw@127.0.0.1:6379/zero",  # a database that is no number
        "redis://:s3cr3t-broker-pw@127.0.0.1:6379/0/1",
    ],
)
def test_a_broker_url_setting_error_names_the_url_without_its_password(url: str) -> None:
    # The message reaches every process's stderr (a pod's log) at start-up; it quoted the
    # URL whole, the broker's password with it.
    with pytest.raises(ValidationError) as refused:
        Settings(broker={"url": url})

    told = str(refused.value)
    assert "s3cr3t-broker-pw" not in told
    assert "127.0.0.1" in told


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
        ("rediss://alice:p%40ss@h:6380/2", "rediss://alice:***@h:6380/2"),
        ("redis://onlytoken@h/0", "redis://***@h/0"),
        ("redis://a:b@c@h:1/0", "redis://a:***@h:1/0"),  # an '@' left unescaped in it
        ("redis://h:6379/0", "redis://h:6379/0"),
    ],
)
def test_without_password_keeps_everything_of_a_url_but_its_password(url: str, shown: str) -> None:
    assert without_password(url) == shown
