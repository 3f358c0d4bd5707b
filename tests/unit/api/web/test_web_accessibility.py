"""What a screen reader is told on the inbox's pages, read from the rendered HTML: names,
captions, and which message a field in error is described by."""

from __future__ import annotations

import re

from tests.unit.api.web.conftest import Site, as_shown, csrf_of, voicemail


def _tag(html: str, pattern: str) -> str:
    found = re.search(rf"<{pattern}[^>]*>", html)
    assert found, f"no <{pattern}> on the page"
    return found.group(0)


def test_the_recording_and_the_spoken_reply_players_are_named(site: Site) -> None:
    job = voicemail()
    job.results.reply = "Thanks, we will call you back."
    job.results.reply_audio_key = "acme/reply"
    job.results.reply_audio_media_type = "audio/wav"
    site.storage.put(job.input.key, b"RIFF", "audio/wav")
    site.storage.put("acme/reply", b"RIFF", "audio/wav")
    site.add(job)
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text

    # A bare <audio controls> is announced as an unnamed group: which recording is it?
    assert 'aria-label="Recording of the voicemail"' in _tag(page, 'audio id="recording"')
    assert 'aria-label="Spoken reply"' in _tag(page, 'audio id="reply-audio"')


def test_the_voicemail_list_is_a_table_with_a_caption(site: Site) -> None:
    site.add(voicemail())
    site.sign_in()

    page = site.client.get("/inbox").text

    table = page[page.index('<table class="inbox"') :]
    assert re.match(r'<table class="inbox"[^>]*>\s*<caption[^>]*>Voicemails', table), table[:200]


def test_a_refused_field_on_sign_in_is_described_by_the_error_it_has_the_focus_on(
    site: Site,
) -> None:
    form = site.client.get("/inbox/sign-in")
    refused = site.client.post(
        "/inbox/sign-in",
        data={"csrf": csrf_of(form.text), "api_key": "vp_mistyped", "name": "Ann", "next": "/"},
        follow_redirects=False,
    )

    key = _tag(refused.text, 'input id="api_key"')
    name = _tag(refused.text, 'input id="name"')
    # Focus lands on the key field: the error must be read there, not only the field's help.
    assert 'aria-describedby="sign-in-error key-help"' in key
    assert 'aria-invalid="true"' in key
    assert "sign-in-error" not in name


def test_a_refused_review_value_marks_its_field_invalid_described_by_the_error_and_focused(
    site: Site,
) -> None:
    job = site.add(voicemail())
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    refused = site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(page, callback_number="555-01")
    )

    assert refused.status_code == 400
    number = _tag(refused.text, 'input id="r-number"')
    caller = _tag(refused.text, 'input id="r-caller"')
    # A screen reader on the field hears it is invalid and why, not only the field's help.
    assert 'aria-invalid="true"' in number
    assert 'aria-describedby="review-error r-number-help"' in number
    assert "autofocus" in number
    assert "aria-invalid" not in caller
    assert "autofocus" not in _tag(refused.text, 'p class="message error"')


def test_a_page_showing_a_refusal_says_so_in_its_title(site: Site) -> None:
    job = site.add(voicemail())
    form = site.client.get("/inbox/sign-in")
    refused_sign_in = site.client.post(
        "/inbox/sign-in",
        data={"csrf": csrf_of(form.text), "api_key": "vp_mistyped", "name": "Ann", "next": "/"},
    )
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text
    refused_review = site.client.post(
        f"/inbox/jobs/{job.id}/review", data=as_shown(page, callback_number="555-01")
    )

    # The title is the first thing a screen reader reads of a page that opens.
    assert "<title>Not signed in: Sign in · VoicePipe</title>" in refused_sign_in.text
    assert "<title>Review not saved: Sam Reyes · VoicePipe</title>" in refused_review.text
    assert "<title>Sam Reyes · VoicePipe</title>" in page
