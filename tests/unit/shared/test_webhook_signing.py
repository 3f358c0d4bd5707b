"""Standard Webhooks signatures, checked by the specification's own verifier."""

from __future__ import annotations

import base64
import time

import pytest
from pydantic import SecretStr
from standardwebhooks import Webhook, WebhookVerificationError

from shared.settings.bulk import WebhookSettings
from shared.webhook_signing import new_secret, signature_headers

BODY = b'{"data":{"job_id":"j1","status":"succeeded"},"type":"job.succeeded"}'


def test_headers_verify_with_the_reference_verifier() -> None:
    secret = new_secret()
    headers = signature_headers("msg_1", int(time.time()), BODY, [secret])

    assert Webhook(secret).verify(BODY, headers)["type"] == "job.succeeded"
    assert headers["webhook-id"] == "msg_1"


def test_with_two_secrets_each_secret_alone_verifies() -> None:
    old, new = new_secret(), new_secret()
    headers = signature_headers("msg_2", int(time.time()), BODY, [new, old])

    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(BODY, headers)


def test_a_secret_not_among_the_signers_is_rejected() -> None:
    headers = signature_headers("msg_3", int(time.time()), BODY, [new_secret()])

    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_a_tampered_body_is_rejected() -> None:
    secret = new_secret()
    headers = signature_headers("msg_4", int(time.time()), BODY, [secret])

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"succeeded", b"failed"), headers)


def test_a_timestamp_older_than_five_minutes_is_rejected() -> None:
    secret = new_secret()
    headers = signature_headers("msg_5", int(time.time()) - 301, BODY, [secret])

    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, headers)


def test_a_changed_id_is_rejected() -> None:
    secret = new_secret()
    headers = signature_headers("msg_6", int(time.time()), BODY, [secret])

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_7"})


def test_new_secrets_are_32_random_bytes_the_settings_accept() -> None:
    first, second = new_secret(), new_secret()

    assert first != second
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    settings = WebhookSettings(secrets=[SecretStr(f"acme:{first}")])
    assert settings.tenant_secrets("acme") == [first]


def test_signing_without_a_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        signature_headers("msg_8", int(time.time()), BODY, [])
