"""What every inbox page carries and leaves out: the security headers, no inline script, style or
event handler, and no place in the OpenAPI document."""

from __future__ import annotations

import re

from api.web.headers import CONTENT_SECURITY_POLICY
from shared.models import JobStatus
from tests.unit.api.web.conftest import Site, voicemail


def test_every_inbox_answer_carries_the_security_headers(site: Site) -> None:
    job = site.add(voicemail(status=JobStatus.SUCCEEDED))
    site.sign_in()

    answers = [
        site.client.get("/inbox"),
        site.client.get(f"/inbox/jobs/{job.id}"),
        site.client.get("/inbox/jobs/job_nope"),
        site.client.get("/inbox/no/such/page"),
        site.client.get("/inbox/static/app.css"),
        site.client.post(f"/inbox/jobs/{job.id}/review", data={}),
        site.client.get("/inbox/sign-in", follow_redirects=False),
    ]

    for answer in answers:
        assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert [a.status_code for a in answers[2:4]] == [404, 404]


def test_no_page_has_inline_script_style_or_event_handlers(site: Site) -> None:
    job = site.add(voicemail())
    site.sign_in()

    for path in ("/inbox", f"/inbox/jobs/{job.id}", "/inbox/batches", "/inbox/nowhere"):
        html = site.client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html, path
        assert " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_the_inbox_pages_are_not_in_the_openapi_document(site: Site) -> None:
    paths = site.client.get("/openapi.json").json()["paths"]

    assert paths
    assert not [path for path in paths if path.startswith("/inbox")]
