"""The inbox with its S3 store hung: an HTML page saying storage is unavailable (503), not
a traceback, nor a voicemail page reading as if it had no transcript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import Site, keyed_settings, site_for, voicemail


@pytest.fixture
def hung_site(tmp_path: Path, valkey: ValkeyProcess, hung_store: str) -> Iterator[Site]:
    storage = {
        "backend": "s3",
        "s3_endpoint_url": hung_store,
        "s3_access_key_id": "test",
        "s3_secret_access_key": "test",
        "api_timeout_s": 0.3,
    }
    found = site_for(keyed_settings(tmp_path, valkey, storage=storage))
    with found.client:
        yield found


@pytest.mark.timeout(30)
def test_a_voicemail_page_and_its_recording_say_storage_is_unavailable(hung_site: Site) -> None:
    job = hung_site.add(voicemail())
    hung_site.sign_in()

    for path in (f"/inbox/jobs/{job.id}", f"/inbox/jobs/{job.id}/audio"):
        page = hung_site.client.get(path)

        assert page.status_code == 503, (path, page.text[:300])
        assert page.headers["content-type"].startswith("text/html")
        assert "Storage unavailable" in page.text
        assert "No transcript yet" not in page.text
