"""Working through a list: a voicemail opened from a filtered inbox links on to the list's
next voicemail, before and after a saved review, and back to the same filtered list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

from shared.models import Job
from tests.conftest import ValkeyProcess
from tests.unit.api.web.conftest import SECRET, Site, csrf_of, keyed_settings, site_for, voicemail

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_BACK = r'class="crumbs"><a href="([^"]*)">Voicemails</a>'
_NEXT = re.compile(r'<a[^>]*href="([^"]*)"[^>]*>Next voicemail</a>')


def _at(minute: int, **triage: str) -> Job:
    job = voicemail(**triage)
    job.created_at = START + timedelta(minutes=minute)
    return job


def _href(pattern: str, page: str) -> str:
    found = re.search(pattern, page)
    assert found, pattern
    return unescape(found.group(1))


def _next_link(page: str) -> str | None:
    found = _NEXT.search(page)
    return unescape(found.group(1)) if found else None


def test_a_voicemail_opened_from_a_filtered_list_links_to_the_lists_next_one(site: Site) -> None:
    oldest = site.add(_at(0, urgency="high"))
    site.add(_at(1, urgency="low"))
    newest = site.add(_at(2, urgency="high"))
    site.sign_in()

    inbox = site.client.get("/inbox", params={"urgency": "high"}).text
    opened = unescape(re.findall(r'class="row-link" href="([^"]*)"', inbox)[0])
    assert opened == f"/inbox/jobs/{newest.id}?urgency=high"

    page = site.client.get(opened).text
    assert _next_link(page) == f"/inbox/jobs/{oldest.id}?urgency=high", "the low one is skipped"
    assert 'href="/inbox?urgency=high"' in page, "back to the same filtered list"
    last = site.client.get(f"/inbox/jobs/{oldest.id}?urgency=high").text
    assert _next_link(last) is None, "the list's last voicemail has no next"


def test_after_a_saved_review_the_next_voicemail_of_the_list_is_one_click_away(
    site: Site,
) -> None:
    older = site.add(_at(0))
    reviewed = site.add(_at(1))
    site.sign_in()
    opened = f"/inbox/jobs/{reviewed.id}?reviewed=no"
    page = site.client.get(opened).text

    saved = site.client.post(
        f"/inbox/jobs/{reviewed.id}/review?reviewed=no",
        data={"csrf": csrf_of(page), "done": "yes"},
        follow_redirects=False,
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == f"/inbox/jobs/{reviewed.id}?reviewed=no&saved=1"
    after = site.client.get(saved.headers["location"]).text
    # The reviewed voicemail no longer matches "not reviewed", yet its place in the list holds.
    assert "Your review was saved." in after
    assert _next_link(after) == f"/inbox/jobs/{older.id}?reviewed=no"
    assert f'action="/inbox/jobs/{reviewed.id}/review?reviewed=no"' in page


def test_a_voicemail_opened_from_an_older_page_links_back_to_that_page(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    found = site_for(
        keyed_settings(tmp_path, valkey, web={"session_secret": SECRET, "page_size": 10})
    )
    with found.client as client:
        for minute in range(12):
            found.add(_at(minute, urgency="high"))
        found.sign_in()
        first = client.get("/inbox", params={"urgency": "high"}).text
        older = _href(r'<a rel="next" href="([^"]*)">Older</a>', first)
        second = client.get(older).text
        opened = unescape(re.findall(r'class="row-link" href="([^"]*)"', second)[0])

        page = client.get(opened).text
        back = _href(_BACK, page)
        saved = client.post(
            opened.replace("?", "/review?", 1),
            data={"csrf": csrf_of(page), "done": "yes"},
            follow_redirects=False,
        )
        after = client.get(saved.headers["location"]).text

    assert back == older, "back to the page it was opened from, not the first"
    assert "cursor=" in (_next_link(page) or "")
    assert _href(_BACK, after) == older
