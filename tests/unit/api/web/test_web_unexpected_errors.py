"""An exception no handler takes, under /inbox: an HTML 500 page with the inbox's security
headers, a reference to find it in the log, and nothing of the exception in it. The JSON API
answers its own unexpected errors in its own shape (tests/unit/api/test_unexpected_errors.py),
without the inbox's headers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.web.headers import HEADERS
from shared.reviews import ReviewStore
from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import ACME_KEY, Site, keyed_settings, site_for, voicemail

DETAIL = "boom at /srv/voicepipe/secret-path with key vp_internal"


def _broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object) -> None:
        raise RuntimeError(DETAIL)

    monkeypatch.setattr(ReviewStore, "for_job", fail)


@pytest.fixture
def lenient(tmp_path: Path, valkey: ValkeyProcess) -> Site:
    # As a server answers: the exception is not raised into the test.
    site = site_for(keyed_settings(tmp_path, valkey))
    base_url = str(site.client.base_url)
    site.client = TestClient(site.client.app, base_url=base_url, raise_server_exceptions=False)
    return site


def test_an_unexpected_error_on_a_page_is_an_html_500_with_the_security_headers(
    lenient: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    job = lenient.add(voicemail())
    with lenient.client:
        lenient.sign_in()
        _broken(monkeypatch)
        with caplog.at_level(logging.ERROR, logger="voicepipe.api"):
            answer = lenient.client.get(f"/inbox/jobs/{job.id}")
            head = lenient.client.head(f"/inbox/jobs/{job.id}")

    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    for name, value in HEADERS.items():
        assert answer.headers[name] == value
    assert answer.headers["cache-control"] == "no-store"
    assert "Something went wrong" in answer.text
    assert "secret-path" not in answer.text
    assert "RuntimeError" not in answer.text
    assert "Traceback" not in answer.text
    # The page names a reference the operator finds beside the traceback in the log.
    found = re.search(r"reference (req_[0-9a-f]{32})", answer.text)
    assert found
    assert found.group(1) == answer.headers["x-request-id"]
    [record] = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert record.exc_info is not None
    assert DETAIL in str(record.exc_info[1])
    assert head.status_code == 500
    assert head.content == b""
    assert head.headers["x-frame-options"] == "DENY"


def test_an_unexpected_error_posting_a_review_is_the_same_page(
    lenient: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = lenient.add(voicemail())
    with lenient.client:
        lenient.sign_in()
        page = lenient.client.get(f"/inbox/jobs/{job.id}").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token
        _broken(monkeypatch)
        answer = lenient.client.post(
            f"/inbox/jobs/{job.id}/review", data={"csrf": token.group(1), "done": "yes"}
        )

    assert answer.status_code == 500
    assert answer.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
    assert "secret-path" not in answer.text


def test_the_json_apis_unexpected_error_is_json_without_the_inbox_headers(
    lenient: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = lenient.add(voicemail())
    _broken(monkeypatch)
    with lenient.client:
        answer = lenient.client.get(
            f"/v1/jobs/{job.id}/reviews", headers={"Authorization": f"Bearer {ACME_KEY}"}
        )

    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert "content-security-policy" not in answer.headers
