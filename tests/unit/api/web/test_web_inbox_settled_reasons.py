"""The inbox list's Review column after a person corrected a voicemail: a reason the
correction settled is no longer shown as open, as at the top of the voicemail page, while
the needs-review filter still goes by the machine's flag."""

from __future__ import annotations

import re

from tests.unit.api.web.conftest import Site, as_shown, voicemail


def _corrected(site: Site, **typed: str) -> str:
    job = voicemail(callback_number=None, summary="Wants a call back about March.")
    job.results.needs_review = True
    job.results.review_reasons = ["no_callback_number", "low_confidence"]
    site.add(job)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text
    saved = site.client.post(f"/inbox/jobs/{job.id}/review", data=as_shown(page, **typed))
    assert saved.status_code == 200, saved.text
    return job.id


def _review_cell(site: Site, job_id: str, query: str = "") -> str | None:
    page = site.client.get(f"/inbox{query}").text
    row = re.search(rf'<tr data-job="{job_id}".*?</tr>', page, re.S)
    if row is None:
        return None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    return " ".join(re.sub(r"<[^>]+>", "", cells[-1]).split())


def test_a_reason_a_corrected_number_settled_is_not_listed_as_open(site: Site) -> None:
    job_id = _corrected(site, callback_number="+1 415 555 0188")

    # Before: "needs review no callback number, low confidence", the number entered or not.
    assert _review_cell(site, job_id) == "needs review low confidence"


def test_a_corrected_transcript_settles_the_reasons_about_the_transcript(site: Site) -> None:
    job_id = _corrected(site, transcript="Hi, it's Sam, call me back about March.")

    assert _review_cell(site, job_id) == "needs review no callback number"


def test_the_needs_review_filter_still_goes_by_the_machines_flag_until_marked_done(
    site: Site,
) -> None:
    job_id = _corrected(site, callback_number="+1 415 555 0188")

    assert _review_cell(site, job_id, "?needs_review=yes") == "needs review low confidence"
    assert _review_cell(site, job_id, "?needs_review=no") is None


def test_a_voicemail_whose_every_reason_is_settled_says_so_and_what_is_left_to_do(
    site: Site,
) -> None:
    job_id = _corrected(
        site, callback_number="+1 415 555 0188", transcript="Hi, it's Sam, call me back."
    )

    # Before: a bare "needs review" with no reason beside it.
    assert _review_cell(site, job_id) == "needs review every reason corrected: mark it done"
