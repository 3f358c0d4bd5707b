"""Right-to-left voicemails (Arabic, Hebrew, Persian): text a caller or a reviewer wrote takes
its direction from its own first strong letter (dir="auto", <bdi>), not the English page's,
so an Arabic transcript reads from the right and its digits stay where they were said."""

from __future__ import annotations

import re

from tests.unit.api.web.conftest import Site, voicemail

ARABIC_NAME = "أحمد"
ARABIC_TEXT = "مرحبا، هذا أحمد. اتصل بي على 415 555 0100"


def _tag(html: str, pattern: str) -> str:
    found = re.search(pattern, html)
    assert found, f"no element matching {pattern}"
    return found.group(0)


def test_an_arabic_transcript_and_caller_take_their_own_direction(site: Site) -> None:
    job = voicemail(caller_name=ARABIC_NAME, summary=ARABIC_TEXT)
    job.results.transcript = ARABIC_TEXT
    job.results.reply = ARABIC_TEXT
    site.add(job)
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text
    inbox = site.client.get("/inbox").text

    # Before: every one of these was laid out left to right, the page's direction.
    assert 'dir="auto"' in _tag(page, r'<p class="transcript[^>]*id="transcript"[^>]*>')
    assert 'dir="auto"' in _tag(page, r"<h1[^>]*>")
    assert 'dir="auto"' in _tag(page, r'<blockquote class="reply"[^>]*>')
    assert 'dir="auto"' in _tag(page, r'<textarea id="r-transcript"[^>]*>')
    assert 'dir="auto"' in _tag(page, r'<input id="r-caller"[^>]*>')
    assert 'dir="auto"' in _tag(page, r'<input id="r-note"[^>]*>')
    assert f"<bdi>{ARABIC_NAME}</bdi>" in page
    assert 'dir="auto"' in _tag(inbox, r'<a class="row-link"[^>]*>')
    assert 'dir="auto"' in _tag(inbox, r'<td class="summary"[^>]*>')
    assert 'dir="auto"' in _tag(inbox, r'<input id="f-q"[^>]*>')
