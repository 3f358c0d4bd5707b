"""What a delivery's record says of a receiver's answer that ended the event: a developer
reading `GET /v1/jobs/{id}/webhooks` learns why it stopped and what to change, from the
status alone (never from the event's body or the receiver's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from shared.redis_keys import connect
from shared.safe_fetch import PostResult
from shared.settings import BrokerSettings, Settings
from shared.webhook_models import WebhookDelivery
from shared.webhook_signing import new_secret
from shared.webhook_store import WebhookStore
from tests.conftest import ValkeyProcess
from workers import webhooks

URL = "https://hooks.example/voicepipe"


@pytest.fixture
def store(valkey: ValkeyProcess) -> Iterator[WebhookStore]:
    client = connect(valkey.url)
    yield WebhookStore(client)
    client.close()


def _attempt(
    store: WebhookStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    headers: dict[str, str] | None = None,
) -> WebhookDelivery:
    settings = Settings(
        data_dir=tmp_path,
        broker=BrokerSettings(url="redis://127.0.0.1:1/0"),
        webhooks={"secrets": [SecretStr(f"default:{new_secret()}")], "schedule_s": [0]},
    )
    answer = PostResult(
        status=status, headers=headers or {}, elapsed_s=0.01, body_prefix="the receiver's words"
    )
    monkeypatch.setattr(webhooks, "post", lambda *args, **kwargs: answer)
    delivery = WebhookDelivery(
        id="msg_1", tenant="default", url=URL, type="job.succeeded", data={"job_id": "job_1"}
    )
    webhooks.attempt(delivery, store, settings)
    return delivery


def test_a_redirect_is_recorded_as_not_followed_with_where_it_pointed(
    store: WebhookStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before, the record said "HTTP 302" alone: nothing told the developer that redirects
    # are never followed, or that the callback URL was to be the address it pointed to.
    headers = {"location": "https://hooks.example/voicepipe/"}
    delivery = _attempt(store, tmp_path, monkeypatch, 302, headers)

    assert delivery.state == "failed"
    error = delivery.attempts[-1].error or ""
    assert error.startswith("HTTP 302: ")
    assert "not followed" in error
    assert "https://hooks.example/voicepipe/" in error
    assert "the receiver's words" not in error


def test_a_refusal_is_recorded_as_not_retried_with_what_to_check(
    store: WebhookStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _attempt(store, tmp_path, monkeypatch, 401)

    assert delivery.state == "failed"
    error = delivery.attempts[-1].error or ""
    assert error.startswith("HTTP 401: ")
    assert "not sent again" in error
    assert "signature" in error
    assert "the receiver's words" not in error


def test_a_410_is_recorded_as_turning_the_endpoint_off_and_how_to_turn_it_on(
    store: WebhookStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _attempt(store, tmp_path, monkeypatch, 410)

    assert delivery.state == "disabled"
    error = delivery.attempts[-1].error or ""
    assert error.startswith("HTTP 410: ")
    assert "DELETE /v1/webhooks/disabled" in error


def test_a_server_error_keeps_its_short_record(
    store: WebhookStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Retried while the schedule lasts: the status says enough (as the integration test reads).
    delivery = _attempt(store, tmp_path, monkeypatch, 503)

    assert delivery.attempts[-1].error == "HTTP 503"


def test_a_redirects_address_is_recorded_without_its_credentials_or_query(
    store: WebhookStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The receiver's Location may carry a token (a signed URL, user:password@): the record is
    # shown to API callers and kept for days, so only where it points is kept.
    headers = {"location": "https://user:hunter2@hooks.example/v2/in?token=s3cr3t#frag"}
    delivery = _attempt(store, tmp_path, monkeypatch, 307, headers)

    error = delivery.attempts[-1].error or ""
    assert "https://hooks.example/v2/in" in error
    for secret in ("hunter2", "user", "s3cr3t", "token", "frag"):
        assert secret not in error


def test_an_unexpected_failure_is_recorded_by_its_kind_and_a_reference_not_its_text(
    store: WebhookStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        broker=BrokerSettings(url="redis://127.0.0.1:1/0"),
        webhooks={"secrets": [SecretStr(f"default:{new_secret()}")], "schedule_s": [0]},
    )

    def broken(*args: object, **kwargs: object) -> PostResult:
        raise ValueError("could not encode 'my card number is 4111 1111 1111 1111'")

    monkeypatch.setattr(webhooks, "post", broken)
    delivery = WebhookDelivery(
        id="msg_1", tenant="default", url=URL, type="job.succeeded", data={"job_id": "job_1"}
    )
    webhooks.attempt(delivery, store, settings)

    error = delivery.attempts[-1].error or ""
    assert error.startswith("internal: ")
    assert "ValueError" in error
    assert "reference err_" in error
    assert "4111" not in error
