"""A job's `links` lead to its reviews, so a client reading GET /v1/jobs/{id} finds people's
corrections without knowing the path by heart."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ValkeyProcess
from tests.unit.api.review_routes_helpers import ACME, _job, _review, _services, review_client


def test_a_jobs_links_lead_to_its_reviews(tmp_path: Path, valkey: ValkeyProcess) -> None:
    http = review_client(tmp_path, valkey)
    job = _job(http)
    assert _review(http, job, corrections={"intent": "repair"}).status_code == 201
    base = _services(http).settings.api.base_url

    shown = http.get(f"/v1/jobs/{job.id}", headers=ACME).json()
    listed = http.get("/v1/jobs", headers=ACME).json()["jobs"]

    link = shown["links"]["reviews"]
    assert link == f"{base}/v1/jobs/{job.id}/reviews"
    assert listed[0]["links"]["reviews"] == link
    followed = http.get(link.removeprefix(base), headers=ACME)
    assert followed.status_code == 200, followed.text
    assert followed.json()["reviews"][0]["corrections"][0]["after"] == "repair"
