"""The inbox with a dependency down (its S3 store hung, the broker stopped or full): an HTML
page saying so (503), not JSON or a traceback, nor a voicemail page reading as if it had no
transcript."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import Site, csrf_of, keyed_settings, site_for, voicemail


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


@pytest.fixture
def quick_site(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[Site]:
    """A site whose requests wait 1 s for a broker that is down, not the default 3 s."""
    broker = {"url": valkey.url, "api_timeout_s": 1.0}
    found = site_for(keyed_settings(tmp_path, valkey, broker=broker))
    with found.client:
        yield found


def test_an_inbox_page_with_the_broker_down_is_a_page_saying_so(quick_site: Site) -> None:
    site = quick_site
    site.sign_in()
    assert site.client.get("/inbox").status_code == 200
    site.jobs.redis.connection_pool.disconnect()
    _stop_broker(site)

    page = site.client.get("/inbox")

    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "Temporarily unavailable" in page.text
    assert page.headers["Retry-After"] == "5"


def test_a_review_sent_to_a_full_broker_is_a_page_saying_it_is_full(site: Site) -> None:
    job = site.add(voicemail())
    site.sign_in()
    token = csrf_of(site.client.get(f"/inbox/jobs/{job.id}").text)
    site.jobs.redis.config_set("maxmemory", "1")

    page = site.client.post(f"/inbox/jobs/{job.id}/review", data={"csrf": token, "done": "yes"})

    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "is full" in page.text


def _stop_broker(site: Site) -> None:
    # A client of its own: the job store's rides out a broker restart, retrying the dropped
    # connection SHUTDOWN leaves for ~19 s.
    redis.Redis.from_url(site.settings.broker.url).shutdown(nosave=True)
