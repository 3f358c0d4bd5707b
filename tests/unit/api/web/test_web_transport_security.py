"""Strict-Transport-Security on the inbox's answers that came over HTTPS (the request's
scheme, or X-Forwarded-Proto from a TLS proxy, as the Secure cookie and the "needs HTTPS"
warning decide), so a browser that once reached the inbox over TLS never sends its session
cookie or an API key over plain HTTP again; never over plain HTTP, never for localhost."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.web.headers import STRICT_TRANSPORT_SECURITY
from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import Site, keyed_settings, site_for

PATHS = ("/inbox/sign-in", "/inbox", "/inbox/jobs/job_nope", "/inbox/static/app.css")


def _site(tmp_path: Path, valkey: ValkeyProcess, base_url: str) -> Site:
    return site_for(keyed_settings(tmp_path, valkey), base_url=base_url)


def _sts(site: Site, path: str, headers: dict[str, str] | None = None) -> str | None:
    answer = site.client.get(path, headers=headers, follow_redirects=False)
    assert answer.status_code < 500, answer.text
    value: str | None = answer.headers.get("strict-transport-security")
    return value


def test_every_inbox_answer_over_https_says_to_use_https_for_a_year(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    site = _site(tmp_path, valkey, "https://inbox.example.com")

    with site.client:
        told = [_sts(site, path) for path in PATHS]

    assert told == [STRICT_TRANSPORT_SECURITY] * len(PATHS)
    assert STRICT_TRANSPORT_SECURITY == "max-age=31536000"


@pytest.mark.parametrize("proto", ["https", "HTTPS", "https, http"])
def test_an_answer_through_a_tls_proxy_that_says_https_carries_it(
    tmp_path: Path, valkey: ValkeyProcess, proto: str
) -> None:
    # A proxy uvicorn does not trust (another address): the app sees http, the browser
    # is on HTTPS, as the "needs HTTPS" warning already reads it.
    site = _site(tmp_path, valkey, "http://inbox.example.com")

    with site.client:
        told = _sts(site, "/inbox/sign-in", {"X-Forwarded-Proto": proto})

    assert told == STRICT_TRANSPORT_SECURITY


@pytest.mark.parametrize(
    ("base_url", "headers"),
    [
        ("http://inbox.example.com", {}),
        ("http://inbox.example.com", {"X-Forwarded-Proto": "http"}),
        ("http://127.0.0.1:8000", {}),
        # HSTS names a host on every port: localhost pinned to HTTPS would break the
        # plain-HTTP inbox of `voicepipe up` and Flower in that browser for a year.
        ("https://localhost:8443", {}),
        ("http://localhost:8000", {"X-Forwarded-Proto": "https"}),
        ("https://inbox.localhost", {}),
    ],
)
def test_no_answer_over_plain_http_or_for_localhost_carries_it(
    tmp_path: Path, valkey: ValkeyProcess, base_url: str, headers: dict[str, str]
) -> None:
    site = _site(tmp_path, valkey, base_url)

    with site.client:
        told = [_sts(site, path, headers) for path in PATHS]

    assert told == [None] * len(PATHS)
