"""What the review route tests share: two tenants' keys, the app built with them, and shortcuts
to store a job and post a review of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from api.security import key_entry
from shared.models import Job
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job

ACME_KEY = "vp_" + "a" * 43
ACME = {"Authorization": f"Bearer {ACME_KEY}"}
GLOBEX = {"Authorization": "Bearer vp_" + "b" * 43}
HOOK = "https://hooks.example.com/voicepipe"


def review_client(tmp_path: Path, valkey: ValkeyProcess) -> TestClient:
    """The app with two tenants' keys, acme's and globex's."""
    settings = Settings(
        data_dir=tmp_path,
        broker={"url": valkey.url},
        auth={
            "keys": [key_entry("acme", ACME_KEY), key_entry("globex", GLOBEX["Authorization"][7:])]
        },
    )
    return TestClient(create_app(settings))


def _services(http: TestClient) -> Services:
    services: Services = http.app.state.services  # type: ignore[attr-defined]
    return services


def _job(http: TestClient, **fields: Any) -> Job:
    fields.setdefault("callback_number", "+14158672291")
    job = voicemail_job(**fields)
    services = _services(http)
    services.jobs.create(job)
    services.storage.put(job.input.key, b"RIFF-recording", "audio/wav")
    return job


def _review(http: TestClient, job: Job, headers: dict[str, str] = ACME, **body: Any) -> Any:
    return http.post(f"/v1/jobs/{job.id}/reviews", json=body, headers=headers)
