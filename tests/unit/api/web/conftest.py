"""An API app (TestClient, real Valkey) with two keyed tenants, a way to sign in, and the
review form as a browser sends it back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.jobstore import JobStore
from shared.models import Job, Triage
from shared.redis_keys import connect
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess
from tests.usage_factories import finished_job

ACME_KEY = "vp_" + "a" * 43
GLOBEX_KEY = "vp_" + "b" * 43
SECRET = "s" * 40
# Loopback: the session cookie is not Secure there, so the test client sends it over http.
BASE = "http://127.0.0.1"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


_SEEN = re.compile(r'name="seen_([a-z_]+)" value="([^"]*)"')


def as_shown(page: str, **typed: str) -> dict[str, str]:
    """The review form as a browser sends it: every field as the page showed it, but for
    what the person typed."""
    seen = {field: unescape(value) for field, value in _SEEN.findall(page)}
    assert seen, "the page's review form carries no values it was shown with"
    return {
        "csrf": csrf_of(page),
        **{f"seen_{field}": value for field, value in seen.items()},
        **seen,
        **typed,
    }


def keyed_settings(data_dir: Path, valkey: ValkeyProcess, **overrides: Any) -> Settings:
    keys = [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX_KEY)]
    fields: dict[str, Any] = {
        "data_dir": data_dir,
        "broker": {"url": valkey.url},
        "auth": {"keys": keys},
        "web": {"session_secret": SECRET},
        **overrides,
    }
    return Settings(**fields)


@dataclass
class Site:
    client: TestClient
    settings: Settings
    jobs: JobStore
    storage: LocalStorage

    def sign_in(self, key: str = ACME_KEY, name: str = "Ann Reviewer") -> Any:
        form = self.client.get("/inbox/sign-in")
        return self.client.post(
            "/inbox/sign-in",
            data={"csrf": csrf_of(form.text), "api_key": key, "name": name, "next": "/inbox"},
            follow_redirects=False,
        )

    def add(self, job: Job) -> Job:
        self.jobs.create(job)
        return job


def site_for(settings: Settings, base_url: str = BASE) -> Site:
    client = TestClient(create_app(settings), base_url=base_url)
    return Site(
        client, settings, JobStore(connect(settings.broker.url)), LocalStorage(settings.objects_dir)
    )


@pytest.fixture
def site(tmp_path: Path, valkey: ValkeyProcess) -> Iterator[Site]:
    found = site_for(keyed_settings(tmp_path, valkey))
    with found.client:
        yield found


def voicemail(tenant: str = "acme", **triage: Any) -> Job:
    """A finished job as the workers leave it, with a triage."""
    job = finished_job(tenant=tenant)
    job.results.triage = Triage(
        **{
            "caller_name": "Sam Reyes",
            "callback_number": "+14155550100",
            "intent": "billing",
            "urgency": "high",
            "summary": "Billed twice for March.",
            **triage,
        }
    )
    job.results.needs_review = False
    return job
