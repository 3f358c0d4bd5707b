"""The S3 key pair of the job storage and of the import location: an empty variable is
unset (boto3's own credentials are used), and half a pair is refused at start-up."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.settings import Settings
from shared.storage import S3Storage, import_storage, storage_from_settings

SECTIONS = ["STORAGE", "IMPORTS"]


def _located(settings: Settings, section: str) -> Any:
    storage = storage_from_settings(settings) if section == "STORAGE" else import_storage(settings)
    assert isinstance(storage, S3Storage)
    return storage


@pytest.mark.parametrize("section", SECTIONS)
def test_an_empty_key_pair_leaves_the_credentials_to_boto3(
    section: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A compose file's `KEY=${S3_SECRET:-}`: the pod's own credentials are meant.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-the-environment")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "environment-secret")
    monkeypatch.setenv(f"VOICEPIPE_{section}__BACKEND", "s3")
    monkeypatch.setenv(f"VOICEPIPE_{section}__S3_ACCESS_KEY_ID", "")
    monkeypatch.setenv(f"VOICEPIPE_{section}__S3_SECRET_ACCESS_KEY", "")

    credentials = _located(Settings(), section).client._get_credentials()

    assert credentials.access_key == "from-the-environment"
    assert credentials.secret_key == "environment-secret"


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize(
    ("given", "missing"),
    [("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"), ("S3_SECRET_ACCESS_KEY", "S3_ACCESS_KEY_ID")],
)
def test_half_a_key_pair_on_s3_is_refused_naming_both_variables(
    section: str, given: str, missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"VOICEPIPE_{section}__BACKEND", "s3")
    monkeypatch.setenv(f"VOICEPIPE_{section}__{given}", "minio-" + "half-pair")
    monkeypatch.setenv(f"VOICEPIPE_{section}__{missing}", " ")

    with pytest.raises(ValidationError) as refused:
        Settings()

    told = str(refused.value)
    assert f"VOICEPIPE_{section}__{given} is set without VOICEPIPE_{section}__{missing}" in told
    assert "minio-half-pair" not in told


@pytest.mark.parametrize("section", SECTIONS)
def test_half_a_key_pair_is_left_alone_on_the_local_backend(
    section: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(f"VOICEPIPE_{section}__S3_ACCESS_KEY_ID", "voicepipe")

    assert getattr(Settings(), section.lower()).s3_access_key_id == "voicepipe"
