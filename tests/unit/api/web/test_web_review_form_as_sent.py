"""The review form sent as a browser sends it, from the page as a browser parses it: a
textarea drops one newline straight after its start tag, and line breaks go as CRLF."""

from __future__ import annotations

import re
from html import unescape

from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import Site, csrf_of, voicemail

_HIDDEN = re.compile(r'<input type="hidden" name="(seen_[a-z_]+)" value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea id="r-transcript"[^>]*>(.*?)</textarea>', re.S)


def as_a_browser_sends_it(page: str, **typed: str) -> dict[str, str]:
    seen = {name: unescape(value) for name, value in _HIDDEN.findall(page)}
    found = _TEXTAREA.search(page)
    assert found, "the page has no transcript field"
    # The HTML parser drops a newline that comes straight after <textarea>.
    transcript = unescape(found.group(1)).removeprefix("\n")
    fields = {
        "csrf": csrf_of(page),
        **seen,
        **{name.removeprefix("seen_"): value for name, value in seen.items()},
        "transcript": transcript,
        **typed,
    }
    return {
        name: value.replace("\r\n", "\n").replace("\n", "\r\n") for name, value in fields.items()
    }


def test_the_review_field_shows_a_transcript_that_starts_with_a_newline_as_it_is(
    site: Site,
) -> None:
    job = voicemail()
    job.results.transcript = "\nHi, this is Sam.\nCall me back."
    site.add(job)
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text

    assert as_a_browser_sends_it(page)["transcript"] == "\r\nHi, this is Sam.\r\nCall me back."


def test_saving_the_form_as_shown_but_for_done_stores_no_transcript_change(site: Site) -> None:
    job = voicemail()
    job.results.transcript = "\n\nHi, this is Sam.\nCall me back.\n"
    site.add(job)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    unchanged = site.client.post(f"/inbox/jobs/{job.id}/review", data=as_a_browser_sends_it(page))
    done = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data=as_a_browser_sends_it(page, done="yes"),
        follow_redirects=False,
    )

    assert unchanged.status_code == 400
    assert "Nothing was changed" in unchanged.text
    assert done.status_code == 303
    (review,) = ReviewStore(site.jobs.redis).for_job("acme", job.id)
    assert review.done
    assert review.corrections == []
