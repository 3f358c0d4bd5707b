"""The inbox list says what it shows: its Summary column is the machine's (corrections do
not change it, as the voicemail page labels it), and its count which rows of the total a
page holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

from shared.models import Job
from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import SECRET, Site, as_shown, keyed_settings, site_for, voicemail

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DASH = "\u2013"  # the en dash a range of numbers is written with


def _at(minute: int, **triage: str) -> Job:
    job = voicemail(**triage)
    job.created_at = START + timedelta(minutes=minute)
    return job


def _count(page: str) -> str:
    found = re.search(r'<p class="count" id="result-count">(.*?)<span', page, re.S)
    assert found, "the page has no count"
    return " ".join(unescape(found.group(1)).split())


def _older(page: str) -> str:
    found = re.search(r'<a rel="next" href="([^"]*)">Older</a>', page)
    assert found, "the page has no link to older voicemails"
    return unescape(found.group(1))


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


def test_the_count_says_which_rows_of_the_total_each_page_shows(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    found = site_for(
        keyed_settings(tmp_path, valkey, web={"session_secret": SECRET, "page_size": 10})
    )
    with found.client as client:
        for minute in range(25):
            found.add(_at(minute, urgency="high" if minute % 5 else "low"))
        found.sign_in()
        first = client.get("/inbox").text
        second = client.get(_older(first)).text
        third = client.get(_older(second)).text
        newer = re.search(r'<a rel="prev" href="([^"]*)">Newer</a>', third)
        assert newer
        back = client.get(unescape(newer.group(1))).text
        filtered = client.get("/inbox", params={"urgency": "high"}).text
        filtered_older = client.get(_older(filtered)).text

    # Before: "25 voicemails." on every page.
    assert _count(first) == f"1{DASH}10 of 25 voicemails."
    assert _count(second) == f"11{DASH}20 of 25 voicemails."
    assert _count(third) == f"21{DASH}25 of 25 voicemails."
    assert _count(back) == f"11{DASH}20 of 25 voicemails."
    assert _count(filtered) == f"1{DASH}10 of 20 voicemails match."
    assert _count(filtered_older) == f"11{DASH}20 of 20 voicemails match."


def test_a_list_that_fits_on_one_page_is_counted_as_before(site: Site) -> None:
    for minute in range(3):
        site.add(_at(minute))
    site.sign_in()

    assert _count(site.client.get("/inbox").text) == "3 voicemails."
    assert _count(site.client.get("/inbox", params={"urgency": "high"}).text) == (
        "3 voicemails match."
    )
