"""The review form's 409 path, worked as two people at one mailbox: what the second sees,
and what saving again does with what the first did."""

from __future__ import annotations

import re

from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import Site, as_shown, voicemail


def test_saving_again_after_a_conflict_keeps_the_done_someone_else_marked(site: Site) -> None:
    job = site.add(voicemail(caller_name="Dana"))
    site.sign_in()
    tab_a = site.client.get(f"/inbox/jobs/{job.id}").text
    tab_b = site.client.get(f"/inbox/jobs/{job.id}").text
    site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(tab_b, caller_name="Dana Smith", done="yes")
    )

    # A never touched the Done box: it showed not done when A opened the voicemail.
    refused = site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(tab_a, caller_name="Dana Smyth")
    )
    assert refused.status_code == 409
    assert re.search(r'id="r-done"[^>]* checked', refused.text)
    again = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data=as_shown(refused.text, caller_name="Dana Smyth"),
        follow_redirects=False,
    )

    assert again.status_code == 303
    store = ReviewStore(site.jobs.redis)
    assert store.corrected("acme", job.id)["caller_name"] == "Dana Smyth"
    assert store.for_job("acme", job.id)[-1].done


def test_a_number_retyped_in_another_format_is_no_correction_and_stores_no_review(
    site: Site,
) -> None:
    job = site.add(voicemail(callback_number="+14155550100"))
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    answer = site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(page, callback_number="(415) 555-0100")
    )

    assert answer.status_code == 400
    assert "Nothing was changed" in answer.text
    assert "the callback number you gave is what it already says" in answer.text
    assert ReviewStore(site.jobs.redis).for_job("acme", job.id) == []
