"""The object store's secret key (VOICEPIPE_STORAGE__S3_SECRET_ACCESS_KEY) is kept as a secret,
as the import location's is: never in a repr of the settings or a setting error, replaced in
what a vendor's or library's message carries into a job's error, and given whole only to the
S3 client and to the stack's child processes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from api.cli.child_env import child_env
from shared.settings import Settings
from shared.storage import storage_from_settings

# Made up, and built so that no secret scanner takes the source for a real key.
SECRET = "wJalr" + "XUtnFEMI-storage-secret"


def _s3(**fields: Any) -> Settings:
    storage = {"backend": "s3", "s3_access_key_id": "voicepipe", "s3_secret_access_key": SECRET}
    return Settings(storage={**storage, **fields})


def test_the_storage_secret_is_in_no_repr_of_the_settings() -> None:
    settings = _s3()

    for shown in (repr(settings), str(settings), repr(settings.storage), str(settings.storage)):
        assert SECRET not in shown


@pytest.mark.parametrize(
    "wrong",
    [{"api_timeout_s": 0}, {"s3_create_bucket": "maybe"}, {"s3_secret_access_key": 5}],
    ids=["another field", "a flag", "the secret itself"],
)
def test_a_storage_setting_error_does_not_quote_the_secret(wrong: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        _s3(**wrong)

    assert SECRET not in str(refused.value)
    assert "storage" in str(refused.value)


def test_a_storage_setting_error_from_the_environment_does_not_quote_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VOICEPIPE_STORAGE__S3_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("VOICEPIPE_STORAGE__API_TIMEOUT_S", "0")

    with pytest.raises(ValidationError) as refused:
        Settings()

    assert SECRET not in str(refused.value)


def test_without_secrets_replaces_the_storage_secret() -> None:
    # A library's message made a job's error (workers/stage.py) is passed through this.
    told = _s3().without_secrets(f"SignatureDoesNotMatch for secret {SECRET}")

    assert told == "SignatureDoesNotMatch for secret [redacted]"


def test_the_s3_client_and_the_child_processes_get_the_secret_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: dict[str, Any] = {}
    monkeypatch.setattr("boto3.client", lambda *_args, **kwargs: made.update(kwargs))
    settings = _s3()

    storage_from_settings(settings)
    env = child_env(settings)

    assert made["aws_secret_access_key"] == SECRET
    assert made["aws_access_key_id"] == "voicepipe"
    assert json.loads(env["VOICEPIPE_STORAGE"])["s3_secret_access_key"] == SECRET
