"""/readyz says what to look at when the broker or the storage does not answer, naming the
setting to check; "unavailable: ConnectionError" alone left an operator to guess which
address, bucket or directory was meant."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from botocore.exceptions import ClientError, EndpointConnectionError

from api.routes import health


def _raises(exc: BaseException) -> Any:
    def ping() -> None:
        raise exc

    return ping


def _checks(broker: Any, storage: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(health, "_live_pools", lambda services: {"stt": 1})
    services: Any = SimpleNamespace(
        probe=SimpleNamespace(ping=broker), storage_probe=SimpleNamespace(ping=storage)
    )
    answer = asyncio.run(health.readyz(services))
    assert answer.status_code == 503
    checks: dict[str, str] = json.loads(answer.body)["checks"]
    return checks


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (redis.ConnectionError("Error 111 connecting"), "nothing answers"),
        (redis.TimeoutError("Timeout reading"), "did not answer within 1 s"),
        (redis.AuthenticationError("invalid password"), "refused the password"),
    ],
)
def test_a_broker_that_does_not_answer_is_named_with_its_setting(
    exc: BaseException, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = _checks(_raises(exc), lambda: None, monkeypatch)

    assert checks["broker"].startswith(f"unavailable: {type(exc).__name__}: ")
    assert said in checks["broker"]
    assert "VOICEPIPE_BROKER__URL" in checks["broker"]


@pytest.mark.parametrize(
    ("exc", "said", "setting"),
    [
        (
            OSError("storage directory /srv/x is not writable"),
            "missing or cannot be written",
            "VOICEPIPE_STORAGE__LOCAL_DIR",
        ),
        (
            ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadBucket"),
            "answered 404",
            "VOICEPIPE_STORAGE__S3_BUCKET",
        ),
        (
            EndpointConnectionError(endpoint_url="http://minio.internal:9000"),
            "could not be reached",
            "VOICEPIPE_STORAGE__S3_ENDPOINT_URL",
        ),
    ],
)
def test_a_storage_that_does_not_answer_is_named_with_its_setting_and_no_address(
    exc: BaseException, said: str, setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = _checks(lambda: None, _raises(exc), monkeypatch)

    assert checks["storage"].startswith(f"unavailable: {type(exc).__name__}: ")
    assert said in checks["storage"]
    assert setting in checks["storage"]
    # /readyz is public: the store's address and paths stay out of it.
    assert "/srv/x" not in checks["storage"]
    assert "minio.internal" not in checks["storage"]
