"""Settings an operator can get wrong in a way that used to pass the start-up check and fail
later, far from the variable: an endless or too-long wait, a malformed URL or host, and a
bucket name S3 refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from api.cli import main
from shared.settings import Settings, reset_settings_cache
from shared.settings.bulk import ImportSettings
from shared.settings.services import StorageSettings
from tests.storage_contract import CHECKS


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        # threading.Event.wait raises OverflowError for these: the loop died at its first wait.
        ("VOICEPIPE_SWEEPER__INTERVAL_S", "inf"),
        ("VOICEPIPE_SWEEPER__INTERVAL_S", "1e10"),
        ("VOICEPIPE_WEBHOOKS__POLL_INTERVAL_S", "inf"),
        ("VOICEPIPE_WORKERS__VOICES_REFRESH_S", "1e10"),
        ("VOICEPIPE_SUPERVISOR__STOP_TIMEOUT_S", "inf"),
        ("VOICEPIPE_RETRIES__MAX_DELAY_S", "inf"),
        ("VOICEPIPE_LOCAL__PIPER_NOISE_SCALE", "nan"),
    ],
)
def test_an_endless_or_too_long_wait_is_a_setting_error_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError) as caught:
        Settings()

    located = {
        "VOICEPIPE_" + "__".join(str(p).upper() for p in error["loc"])
        for error in caught.value.errors()
    }
    assert variable in located


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("VOICEPIPE_API__PUBLIC_URL", "not a url"),
        ("VOICEPIPE_API__PUBLIC_URL", "localhost:8000"),
        ("VOICEPIPE_API__PUBLIC_URL", "ftp://files.example.com"),
        ("VOICEPIPE_STORAGE__S3_ENDPOINT_URL", "minio:9000"),
        ("VOICEPIPE_STORAGE__S3_ENDPOINT_URL", "http://minio:99999"),
        ("VOICEPIPE_IMPORTS__S3_ENDPOINT_URL", "notaurl"),
        ("VOICEPIPE_TRACING__OTLP_ENDPOINT", "collector:4318"),
    ],
)
def test_a_malformed_url_setting_is_refused_at_start_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ValidationError) as caught:
        Settings()

    located = {
        "VOICEPIPE_" + "__".join(str(p).upper() for p in error["loc"])
        for error in caught.value.errors()
    }
    assert variable in located


def test_an_empty_endpoint_or_public_url_means_unset_as_a_compose_default_gives_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # boto3 refused "" as an endpoint ("Invalid endpoint: ") when storage was built.
    monkeypatch.setenv("VOICEPIPE_STORAGE__S3_ENDPOINT_URL", "")
    monkeypatch.setenv("VOICEPIPE_IMPORTS__S3_ENDPOINT_URL", " ")
    monkeypatch.setenv("VOICEPIPE_API__PUBLIC_URL", "")

    settings = Settings()

    assert settings.storage.s3_endpoint_url is None
    assert settings.imports.s3_endpoint_url is None
    assert settings.api.base_url == "http://127.0.0.1:8000"


def test_a_url_settings_error_does_not_show_the_password_in_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_STORAGE__S3_ENDPOINT_URL", "minio://key:hunter2-secret@x:1")

    with pytest.raises(ValidationError) as caught:
        Settings()

    assert "hunter2-secret" not in str(caught.value)


@pytest.mark.parametrize("command", [["sweeper"], ["worker", "webhooks"], ["api"]])
def test_each_process_command_refuses_an_endless_interval_in_one_line_without_starting(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: started.append(list(argv)))
    monkeypatch.setenv("VOICEPIPE_SWEEPER__INTERVAL_S", "inf")

    result = CliRunner().invoke(main, command)

    assert result.exit_code == 1
    assert "VOICEPIPE_SWEEPER__INTERVAL_S" in result.output
    assert started == []


@pytest.mark.parametrize(
    "url",
    [
        "redis://ho st:6379/0",  # a space in the host (a pasted or templated value)
        "redis://",
        "redis:///0",
        "redis://:6379/0",  # redis://${HOST}:6379/0 with HOST unset
        "rediss://:pw@:6380/0",
    ],
)
def test_a_broker_url_without_a_usable_host_is_refused_at_start_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    # Accepted, these reached every client as "localhost" or a name no resolver knows: the
    # API answered 503 on every request and the workers retried forever, far from the cause.
    monkeypatch.setenv("VOICEPIPE_BROKER__URL", url)

    with pytest.raises(ValidationError) as caught:
        Settings()

    assert {tuple(error["loc"]) for error in caught.value.errors()} == {("broker", "url")}
    assert "host" in str(caught.value)


def test_the_sweeper_command_refuses_a_broker_url_without_a_host_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: started.append(list(argv)))
    monkeypatch.setenv("VOICEPIPE_BROKER__URL", "redis://ho st:6379/0")

    result = CliRunner().invoke(main, ["sweeper"])

    assert result.exit_code == 1
    assert "VOICEPIPE_BROKER__URL" in result.output
    assert started == []


@pytest.mark.parametrize(
    ("env", "variable", "fix"),
    [
        # libphonenumber knows no ZZ: every number without a country code failed to read.
        ({"VOICEPIPE_LOCAL__DEFAULT_REGION": "ZZ"}, "VOICEPIPE_LOCAL__DEFAULT_REGION", "GB"),
        (
            {"VOICEPIPE_LOCAL__PIPER_LENGTH_SCALE": "0"},
            "VOICEPIPE_LOCAL__PIPER_LENGTH_SCALE",
            "greater than 0",
        ),
        (
            {"VOICEPIPE_LOCAL__PIPER_LENGTH_SCALE": "-1"},
            "VOICEPIPE_LOCAL__PIPER_LENGTH_SCALE",
            "greater than 0",
        ),
        (
            {"VOICEPIPE_OPENAI__BASE_URL": "api.openai.com/v1"},
            "VOICEPIPE_OPENAI__BASE_URL",
            "https://",
        ),
        ({"VOICEPIPE_OPENAI__BASE_URL": ""}, "VOICEPIPE_OPENAI__BASE_URL", "https://"),
        ({"VOICEPIPE_ANTHROPIC__BASE_URL": "ftp://x"}, "VOICEPIPE_ANTHROPIC__BASE_URL", "https://"),
        (
            {"VOICEPIPE_ELEVENLABS__BASE_URL": "localhost:9000"},
            "VOICEPIPE_ELEVENLABS__BASE_URL",
            "https://",
        ),
        (
            {"VOICEPIPE_STORAGE__BACKEND": "s3", "VOICEPIPE_STORAGE__S3_BUCKET": ""},
            "VOICEPIPE_STORAGE__S3_BUCKET",
            "bucket",
        ),
        (
            {"VOICEPIPE_IMPORTS__BACKEND": "s3", "VOICEPIPE_IMPORTS__S3_BUCKET": " "},
            "VOICEPIPE_IMPORTS__S3_BUCKET",
            "bucket",
        ),
        # Google's client took these and every job failed at its tts stage, retried.
        ({"VOICEPIPE_GOOGLE__ENDPOINT": "ftp://x"}, "VOICEPIPE_GOOGLE__ENDPOINT", "https://"),
        ({"VOICEPIPE_GOOGLE__ENDPOINT": "http://"}, "VOICEPIPE_GOOGLE__ENDPOINT", "https://"),
        (
            {"VOICEPIPE_GOOGLE__ENDPOINT": "tts.example.com/v1 beta"},
            "VOICEPIPE_GOOGLE__ENDPOINT",
            "eu-texttospeech.googleapis.com",
        ),
        (
            {"VOICEPIPE_GOOGLE__ENDPOINT": "localhost:99999"},
            "VOICEPIPE_GOOGLE__ENDPOINT",
            "0-65535",
        ),
        # S3 refuses these names at the first upload or listing, far from the variable.
        *(
            (
                {"VOICEPIPE_STORAGE__BACKEND": "s3", "VOICEPIPE_STORAGE__S3_BUCKET": name},
                "VOICEPIPE_STORAGE__S3_BUCKET",
                reason,
            )
            for name, reason in [
                ("vp", "3-63 characters"),
                ("v" * 64, "3-63 characters"),
                ("Voicepipe", "'V'"),
                ("voice_pipe", "'_'"),
                ("-voicepipe", "start and end with a letter or digit"),
                ("voicepipe.", "start and end with a letter or digit"),
                ("192.168.5.4", "IP address"),
                ("voice..pipe", "two dots"),
            ]
        ),
        (
            {"VOICEPIPE_IMPORTS__BACKEND": "s3", "VOICEPIPE_IMPORTS__S3_BUCKET": "My Imports"},
            "VOICEPIPE_IMPORTS__S3_BUCKET",
            "'M', ' '",
        ),
    ],
)
def test_a_setting_that_could_never_work_stops_start_up_naming_its_variable_and_a_fix(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], variable: str, fix: str
) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: started.append(list(argv)))
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(main, ["sweeper"])

    assert result.exit_code == 1
    assert variable in result.output
    assert fix in result.output
    assert started == []


def test_a_lower_case_region_is_read_as_the_country_it_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # phonenumbers refuses "gb" as a default region ("Missing or invalid default region").
    monkeypatch.setenv("VOICEPIPE_LOCAL__DEFAULT_REGION", "gb")

    assert Settings().local.default_region == "GB"


def test_an_empty_bucket_on_the_local_backend_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_STORAGE__S3_BUCKET", "")
    monkeypatch.setenv("VOICEPIPE_IMPORTS__S3_BUCKET", "")

    settings = Settings()

    assert settings.storage.backend == "local"
    assert settings.imports.backend == "local"


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8123",  # the local fake
        "https://eu-texttospeech.googleapis.com",
        "eu-texttospeech.googleapis.com",  # a bare regional host, as Google's client takes
        "texttospeech.googleapis.com:443",
    ],
)
def test_a_google_endpoint_that_is_a_host_or_an_http_url_is_taken(
    monkeypatch: pytest.MonkeyPatch, endpoint: str
) -> None:
    monkeypatch.setenv("VOICEPIPE_GOOGLE__ENDPOINT", endpoint)

    assert Settings().google.endpoint == endpoint


def test_an_empty_google_endpoint_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEPIPE_GOOGLE__ENDPOINT", "")  # a compose file's ${VAR:-}

    assert Settings().google.endpoint is None


def _bucket_names_in_use() -> set[str]:
    """Every bucket name the repository's deployments and tests use."""
    root = Path(__file__).resolve().parents[3]
    named = re.compile(r"S3_BUCKET[=:]\s*\"?([^\s\"]+)")
    found = set()
    for path in [root / "docker-compose.yml", root / "Makefile", *root.glob("infra/**/*")]:
        if path.is_file():
            found |= set(named.findall(path.read_text(errors="replace")))
    for path in root.glob("tests/**/*.py"):
        text = path.read_text(errors="replace")
        found |= set(re.findall(r"(?:s3_bucket=|Bucket=)\"([^\"]+)\"", text))
        found |= set(re.findall(r"_storage\(s3_endpoint, \"([^\"]+)\"\)", text))
    # The storage contract's buckets: "vp-" and each check's name (test_s3_storage.py).
    found |= {"vp-" + c.__name__.removeprefix("check_").replace("_", "-")[:50] for c in CHECKS}
    found |= {StorageSettings().s3_bucket, ImportSettings().s3_bucket}
    return found


def test_every_bucket_name_the_deployments_and_tests_use_is_taken() -> None:
    names = _bucket_names_in_use()
    assert {"voicepipe", "voicepipe-imports", "vp-imports-never-made"} <= names

    for name in sorted(names):
        storage = StorageSettings(backend="s3", s3_bucket=name)
        imports = ImportSettings(backend="s3", s3_bucket=name)
        assert (storage.s3_bucket, imports.s3_bucket) == (name, name)


@pytest.mark.parametrize(
    ("provider", "voice"),
    [("local", "alloy"), ("openai", "joe"), ("openai", "cedar"), ("google", "nova")],
)
def test_a_deployment_voice_the_default_provider_cannot_have_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, provider: str, voice: str
) -> None:
    monkeypatch.setenv("VOICEPIPE_PROVIDERS__TTS", provider)
    monkeypatch.setenv("VOICEPIPE_PROVIDERS__TTS_VOICE", voice)
    monkeypatch.setenv("VOICEPIPE_OPENAI__API_KEY", "sk-test")  # tts-1: no cedar
    monkeypatch.setenv("VOICEPIPE_GOOGLE__ENABLED", "true")

    with pytest.raises(ValidationError, match=f"providers.tts_voice '{voice}'"):
        Settings()


@pytest.mark.parametrize(
    ("provider", "voice"),
    [("local", "joe"), ("openai", "nova"), ("google", "en-GB-Neural2-A"), ("elevenlabs", "x")],
)
def test_a_deployment_voice_its_default_provider_may_have_is_accepted(
    monkeypatch: pytest.MonkeyPatch, provider: str, voice: str
) -> None:
    monkeypatch.setenv("VOICEPIPE_PROVIDERS__TTS", provider)
    monkeypatch.setenv("VOICEPIPE_PROVIDERS__TTS_VOICE", voice)
    monkeypatch.setenv("VOICEPIPE_OPENAI__API_KEY", "sk-test")
    monkeypatch.setenv("VOICEPIPE_ELEVENLABS__API_KEY", "el-test")
    monkeypatch.setenv("VOICEPIPE_GOOGLE__ENABLED", "true")

    assert Settings().providers.voice_for(provider) == voice
