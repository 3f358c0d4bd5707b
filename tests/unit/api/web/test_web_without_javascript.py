"""What a browser without JavaScript is shown: every page works there, so a control or a
hint that only JavaScript makes work (click-to-copy, the keyboard shortcuts, click a word to
play from it) is not offered until app.js is running to make it work."""

from __future__ import annotations

import re
from pathlib import Path

import api.web
from shared.models import Stage, Transcript, Word
from tests.unit.api.web.conftest import Site, voicemail

_COPY = re.compile(r"<button[^>]*data-copy=[^>]*>")


def test_the_copy_buttons_are_hidden_until_javascript_shows_them(site: Site) -> None:
    job = site.add(voicemail(callback_number="+14155550100"))
    site.sign_in()

    for html in (site.client.get("/inbox").text, site.client.get(f"/inbox/jobs/{job.id}").text):
        buttons = _COPY.findall(html)
        assert buttons, "the page offers no Copy button at all"
        for button in buttons:
            # Before: a Copy button that did nothing when pressed, without JavaScript.
            assert " hidden" in button, button
            assert "data-needs-js" in button, button


def test_the_keyboard_shortcuts_are_not_promised_without_javascript(site: Site) -> None:
    site.add(voicemail())
    site.sign_in()

    html = site.client.get("/inbox").text

    hint = re.search(r"<span[^>]*>Keys: <kbd>j</kbd>", html)
    assert hint, "the list no longer names its keys"
    assert " hidden" in hint.group(0)
    assert "data-needs-js" in hint.group(0)


def test_the_transcript_is_described_by_its_click_a_word_hint_only_once_it_is_shown(
    site: Site,
) -> None:
    job = voicemail()
    words = [Word(word="hello", start_s=0.0, end_s=0.4), Word(word="there", start_s=0.5)]
    transcript = Transcript(text="hello there", provider="local", words=words)
    site.storage.put(job.stages[Stage.STT].output_key or "", transcript.model_dump_json().encode())
    site.add(job)
    site.sign_in()

    html = site.client.get(f"/inbox/jobs/{job.id}").text

    hint = re.search(r'<p [^>]*id="transcript-help"[^>]*>', html)
    assert hint, "the page no longer says a word can be clicked"
    assert " hidden" in hint.group(0)
    shown = re.search(r'<p [^>]*id="transcript"[^>]*>', html)
    assert shown, "the transcript does not follow the recording"
    # Before: a screen reader read out a hint for a feature that does not work without JS.
    assert "aria-describedby" not in shown.group(0)
    script = (Path(api.web.__file__).parent / "static" / "app.js").read_text()
    assert 'setAttribute("aria-describedby"' in script


def test_the_static_script_shows_what_it_makes_work() -> None:
    script = (Path(api.web.__file__).parent / "static" / "app.js").read_text()
    assert "[data-needs-js]" in script
