"""The inbox list says what it shows: its Summary column is the machine's (corrections do
not change it, as the voicemail page labels it)."""

from __future__ import annotations

import re

from tests.unit.api.web.conftest import Site, as_shown, voicemail


def test_the_summary_column_is_labelled_the_machines_beside_a_corrected_number(
    site: Site,
) -> None:
    job = site.add(voicemail(callback_number=None, summary="Wants a call back about March."))
    site.sign_in()
    form = site.client.get(f"/inbox/jobs/{job.id}").text
    saved = site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(form, callback_number="+1 415 555 0188")
    )
    assert saved.status_code == 200, saved.text

    page = site.client.get("/inbox").text

    headers = [
        " ".join(re.sub(r"<[^>]+>", "", h).split())
        for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page, re.S)
    ]
    # Before: "Summary", next to the number a person entered, as if it were theirs too.
    assert "Summary (the machine's)" in headers
    assert "Wants a call back about March." in page
