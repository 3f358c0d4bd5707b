"""The voicemail page of a job not yet triaged: no review form, and a review posted to it
all the same (a crafted form, a page kept open from before) is refused as the JSON API
refuses it, with nothing stored."""

from __future__ import annotations

from shared.models import JobResults, JobStatus
from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import Site, csrf_of, voicemail


def test_a_voicemail_still_being_processed_offers_no_form_and_refuses_a_posted_review(
    site: Site,
) -> None:
    job = voicemail()
    job.status = JobStatus.RESPONDING
    job.results = JobResults(transcript="Call me back on six one seven")
    site.add(job)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    posted = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data={"csrf": csrf_of(page), "transcript": "Call me back on 617", "done": "yes"},
    )

    assert "review-form" not in page
    assert "can be reviewed once it is triaged" in page
    assert posted.status_code == 409
    assert "text/html" in posted.headers["content-type"]
    assert "still being processed" in posted.text
    assert ReviewStore(site.jobs.redis).for_job("acme", job.id) == []


def test_a_triaged_voicemail_whose_reply_is_being_spoken_offers_the_form(site: Site) -> None:
    job = voicemail()
    job.status = JobStatus.SYNTHESIZING
    site.add(job)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    posted = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data={"csrf": csrf_of(page), "done": "yes"},
        follow_redirects=False,
    )

    assert "review-form" in page
    assert posted.status_code == 303
    assert len(ReviewStore(site.jobs.redis).for_job("acme", job.id)) == 1


def test_a_voicemail_that_failed_before_triage_says_to_retry_it_not_to_wait(site: Site) -> None:
    job = voicemail()
    job.status = JobStatus.FAILED
    job.results = JobResults()
    site.add(job)
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text

    assert "review-form" not in page
    assert "failed before it was triaged" in page
    assert f"/v1/jobs/{job.id}/retry" in page
    assert "still being processed" not in page
