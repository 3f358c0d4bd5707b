from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import Settings
from shared.webhook_signing import new_secret


def test_webhook_secrets_are_read_per_tenant_current_first() -> None:
    old, new = new_secret(), new_secret()
    settings = Settings(webhooks={"secrets": f"acme:{new},acme:{old},globex:{new_secret()}"})

    assert settings.webhooks.tenant_secrets("acme") == [new, old]
    assert settings.webhooks.tenant_secrets("initech") == []


@pytest.mark.parametrize(
    "entry", ["hunter2zz", "acme:hunter2zz", "acme:whsec_hunter2zz", "ACME!:whsec_hunter2zz"]
)
def test_a_malformed_webhook_secret_fails_at_start_up_without_echoing_it(entry: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(webhooks={"secrets": [entry]})

    assert "webhooks.secrets[0]" in str(caught.value)
    assert "hunter2zz" not in str(caught.value)


def test_fetch_allow_ranges_must_be_cidr_ranges() -> None:
    assert Settings(fetch={"allow_ranges": "10.1.0.0/16, 127.0.0.1/32"}).fetch.allow_ranges == [
        "10.1.0.0/16",
        "127.0.0.1/32",
    ]
    with pytest.raises(ValidationError, match="CIDR"):
        Settings(fetch={"allow_ranges": ["intranet"]})


def test_a_webhook_lease_must_outlast_the_request_timeout() -> None:
    with pytest.raises(ValidationError, match="lease_s"):
        Settings(webhooks={"timeout_s": 30, "lease_s": 10})


def test_the_ingest_and_webhooks_pools_fit_under_the_visibility_timeout() -> None:
    with pytest.raises(ValidationError, match="visibility_timeout_s"):
        Settings(workers={"webhooks": {"soft_time_limit_s": 4000, "time_limit_s": 4100}})


@pytest.mark.parametrize(
    "secret",
    [
        "whsec_" + "Q" * 33,  # 33 base64 characters: no whole number of bytes
        "whsec_" + "=" * 40,  # no bytes at all
        "whsec_" + "QUJD" * 7 + "QQ==",  # 22 bytes, under the specification's 24
    ],
)
def test_a_webhook_secret_that_cannot_sign_fails_at_start_up_without_echoing_it(
    secret: str,
) -> None:
    # Before, these passed the check and failed at every delivery instead: the signing
    # library raised before the attempt was recorded, so each of the tenant's events was
    # handed out again every lease (a minute), for ever, with nothing in its record.
    with pytest.raises(ValidationError) as caught:
        Settings(webhooks={"secrets": [f"acme:{new_secret()}", f"acme:{secret}"]})

    assert "webhooks.secrets[1]" in str(caught.value)
    assert secret.removeprefix("whsec_")[:12] not in str(caught.value)
