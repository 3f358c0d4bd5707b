"""Taking back a Done mark on the voicemail page: a person who marked a voicemail done by
mistake unticks the box and saves, and it is back in the to-review list, on its page too."""

from __future__ import annotations

from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import Site, as_shown, voicemail


def _marked_done_then_unticked(site: Site) -> tuple[str, int]:
    job = voicemail()
    job.results.needs_review, job.results.review_reasons = True, ["low_confidence"]
    site.add(job)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text
    marked = site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(page, done="yes"), follow_redirects=False
    )
    assert marked.status_code == 303
    form = as_shown(site.client.get(f"/inbox/jobs/{job.id}").text)
    assert form.pop("done") == "yes"  # the box shows the mark; a browser sends no unticked box
    answer = site.client.post(f"/inbox/jobs/{job.id}/review", data=form, follow_redirects=False)
    return job.id, answer.status_code


def test_unticking_done_and_saving_puts_the_voicemail_back_among_those_to_review(
    site: Site,
) -> None:
    job_id, status = _marked_done_then_unticked(site)

    assert status == 303
    assert not ReviewStore(site.jobs.redis).for_job("acme", job_id)[-1].done
    assert job_id in site.client.get("/inbox?reviewed=no").text
    assert job_id not in site.client.get("/inbox?reviewed=yes").text


def test_a_voicemail_whose_done_mark_was_taken_back_is_not_shown_reviewed_on_its_page(
    site: Site,
) -> None:
    job_id, _ = _marked_done_then_unticked(site)

    page = site.client.get(f"/inbox/jobs/{job_id}").text

    assert 'class="badge done">reviewed' not in page
    assert "needs review" in page
    assert "done mark taken back" in page
