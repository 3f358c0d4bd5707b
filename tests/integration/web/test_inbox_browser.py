"""The inbox in a real browser (Debian's headless Chromium) against a running stack: sign
in, filter, open a voicemail, play it and watch the highlighted word move, correct a
callback number and find the correction in the export and the webhook, read the batch
report's charts. A screenshot of each page is saved under .artifacts/screenshots."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from shared.audio import decode_pcm16k
from tests.audio_factory import encode_samples
from tests.integration.web.conftest import (
    ACME_KEY,
    BATCH_TEXTS,
    GLOBEX_KEY,
    Seeded,
    Tab,
    open_tab,
    sign_in,
    wait_for_job,
)

pytestmark = pytest.mark.integration


def _urgencies(tab: Tab) -> list[str]:
    texts: list[str] = tab.page.locator("table.inbox tbody td:nth-child(4)").all_inner_texts()
    return [t.strip() for t in texts]


def test_signing_in_with_an_api_key_opens_the_tenants_inbox(anonymous: Tab, seeded: Seeded) -> None:
    page = anonymous.page
    page.goto("/inbox")
    assert "/inbox/sign-in" in page.url
    anonymous.shot("01-sign-in")

    sign_in(page, seeded.base, ACME_KEY, "Ann Reviewer")

    rows = page.locator("table.inbox tbody tr")
    assert rows.count() == len(BATCH_TEXTS) + 2  # the batch, the markup job, the recording
    assert page.locator(f'tr[data-job="{seeded.globex_job}"]').count() == 0
    assert page.get_by_text("signed in as").is_visible()
    shown = [rows.nth(i).get_attribute("data-job") for i in range(rows.count())]
    jobs = seeded.acme.get("/v1/jobs").json()["jobs"]
    assert shown == [j["id"] for j in sorted(jobs, key=lambda j: j["created_at"], reverse=True)]
    anonymous.shot("02-inbox")


def test_the_inbox_filters_by_urgency_needs_review_and_transcript_text(
    acme: Tab, seeded: Seeded
) -> None:
    page = acme.page
    page.goto("/inbox")
    every = len(_urgencies(acme))

    page.get_by_label("Urgency").select_option("high")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"urgency=high"))
    high = _urgencies(acme)
    page.goto("/inbox?needs_review=yes")
    flagged = page.locator("table.inbox tbody tr").count()
    page.goto("/inbox")
    page.get_by_label("Search transcripts").fill("billed twice")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=billed"))

    assert high
    assert set(high) == {"high"}
    assert len(high) < every
    expected = [j for j in seeded.batch_jobs if j["results"]["needs_review"]]
    expected += [
        j for j in seeded.jobs.values() if j["tenant"] == "acme" and j["results"]["needs_review"]
    ]
    assert flagged == len(expected)
    assert page.locator("table.inbox tbody tr").count() == 1
    assert page.locator("table.inbox tbody th").inner_text().startswith("Tom Becker")
    acme.shot("03-inbox-filtered")


def test_the_keyboard_skips_to_content_and_j_k_enter_open_a_voicemail(acme: Tab) -> None:
    page = acme.page
    page.goto("/inbox")
    links = page.locator("a.row-link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    landed = page.evaluate("document.activeElement.id")

    page.keyboard.press("j")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("k")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first}")

    assert skip == "Skip to content"
    assert landed == "main"
    assert second == hrefs[1]
    assert first == hrefs[0]
    assert page.locator("h1").is_visible()


def test_playing_a_voicemail_moves_the_highlighted_word_along(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.audio_job}")
    transcript = page.locator("#transcript")
    assert transcript.locator(".w[data-start]").count() > 5
    acme.shot("04-voicemail")

    transcript.locator(".w[data-start]").first.click()  # seeks there and plays
    seen: list[int] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(set(seen)) < 3:
        current = transcript.get_attribute("data-current-word")
        if current is not None:
            seen.append(int(current))
        time.sleep(0.2)

    assert len(set(seen)) >= 3, seen
    assert seen == sorted(seen), "the highlight only moves forward while playing"
    assert page.locator(".w.current").count() == 1
    assert page.evaluate("document.getElementById('recording').paused") is False
    acme.shot("05-voicemail-playing")
    assert (
        page.evaluate(
            "fetch('/inbox/jobs/' + location.pathname.split('/')[3] + '/reply-audio')"
            ".then(r => r.status)"
        )
        == 200
    )


def test_clicking_a_later_word_seeks_the_recording_to_it(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.audio_job}")
    word = page.locator("#transcript .w[data-start]").nth(6)
    start = float(word.get_attribute("data-start") or 0)

    word.click()
    page.wait_for_function("document.getElementById('recording').currentTime > 0")

    assert page.evaluate("document.getElementById('recording').currentTime") >= start - 0.05


def test_a_corrected_callback_number_shows_on_the_page_in_the_export_and_the_webhook(
    acme: Tab, seeded: Seeded
) -> None:
    tom = next(j for j in seeded.batch_jobs if "Tom Becker" in j["results"]["transcript"])
    page = acme.page
    page.goto(f"/inbox/jobs/{tom['id']}")

    page.get_by_role("textbox", name="Callback number", exact=True).fill("+1 415 555 0188")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url(re.compile(r"saved=1"))

    assert page.locator("#review-saved").is_visible()
    assert page.locator('#triage-callback a[href="tel:+14155550188"]').count() == 1
    history = page.locator("table.corrections").inner_text()
    assert "Ann Reviewer" in history
    assert "+14155550123" in history
    acme.shot("06-voicemail-corrected")
    export = seeded.acme.get(f"/v1/batches/{seeded.batch_id}/results", params={"format": "jsonl"})
    rows = [json.loads(line) for line in export.text.splitlines()]
    row = next(r for r in rows if r["job_id"] == tom["id"])
    assert row["corrected_callback_number"] == "+14155550188"
    assert row["reviewer"] == "Ann Reviewer"
    event = _reviewed_event(seeded, tom["id"])
    assert event["data"]["reviewer"] == "Ann Reviewer"
    assert {"field": "callback_number", "before": "+14155550123", "after": "+14155550188"} in (
        event["data"]["corrections"]
    )


def _reviewed_event(seeded: Seeded, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for received in seeded.receiver.accepted():
            event = received.event or {}
            if event.get("type") == "job.reviewed" and event["data"].get("job_id") == job_id:
                return event
        time.sleep(0.2)
    raise AssertionError(f"no job.reviewed event: {seeded.receiver.received}")


def test_the_batch_report_shows_its_progress_charts_and_latency(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/batches/{seeded.batch_id}")

    charts = page.locator("figure.chart svg")
    assert charts.count() == 4
    for chart_id in ("chart-status", "chart-failures", "chart-intents", "chart-urgencies"):
        assert page.locator(f"#{chart_id} svg title").count() >= 1
    assert page.locator("#chart-status .bar-label").all_text_contents() == ["succeeded"]
    assert page.locator("#chart-status .bar-value").all_text_contents() == [str(len(BATCH_TEXTS))]
    assert page.locator("#chart-urgencies .bar-label").all_text_contents() == [
        "high",
        "normal",
        "low",
    ]
    assert page.locator("progress").get_attribute("value") == "1.0"
    assert re.search(r"\d+ of 4 triaged", page.locator("#needs-review-rate").inner_text())
    assert page.locator("table.latency tbody tr").count() >= 2
    acme.shot("07-batch-report")
    csv = page.request.get(f"/inbox/batches/{seeded.batch_id}/report.csv")
    assert csv.status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert all(j["id"] in csv.text() for j in seeded.batch_jobs)


def test_a_transcript_containing_markup_renders_as_text(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.markup_job}")

    assert page.locator("#transcript").inner_text().startswith("Hello <script>alert(1)</script>")
    assert page.get_by_text("<script>alert(1)</script>", exact=False).first.is_visible()
    scripts = page.evaluate("[...document.scripts].map(s => s.src || s.textContent)")
    assert len(scripts) == 1
    assert scripts[0].startswith(f"{seeded.base}/inbox/static/app.js")
    assert not [p for p in acme.problems if p.startswith("dialog")]
    acme.shot("08-voicemail-markup")


def test_a_form_posted_without_its_csrf_token_is_refused(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.markup_job}")
    page.evaluate("document.querySelector('form.review-form input[name=csrf]').remove()")
    page.get_by_label("Done: this voicemail needs nothing more").check()

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save review").click()

    assert navigation.value.status == 403
    assert page.get_by_role("heading", name="Form refused").is_visible()
    reviews = seeded.acme.get(f"/v1/jobs/{seeded.markup_job}/reviews").json()
    assert reviews["reviews"] == []
    acme.shot("09-csrf-refused")


def test_another_tenants_voicemail_page_is_not_found(
    browser: Any, acme: Tab, seeded: Seeded
) -> None:
    answer = acme.page.goto(f"/inbox/jobs/{seeded.globex_job}")

    assert answer is not None
    assert answer.status == 404
    assert acme.page.get_by_role("heading", name="No such voicemail").is_visible()
    acme.shot("10-other-tenant")
    with open_tab(browser, seeded, None) as globex:
        sign_in(globex.page, seeded.base, GLOBEX_KEY, "Gus")
        assert globex.page.goto(f"/inbox/jobs/{seeded.audio_job}").status == 404
        assert globex.page.goto(f"/inbox/jobs/{seeded.globex_job}").status == 200


def test_a_voicemail_in_a_codec_browsers_cannot_play_plays_from_its_listening_copy(
    acme: Tab, seeded: Seeded
) -> None:
    # AMR, as visual voicemail delivers it: Chromium's own player refuses it.
    recording = seeded.acme.get(f"/v1/jobs/{seeded.audio_job}/audio").content
    amr = encode_samples(decode_pcm16k(recording), "amr", 16000)
    answer = seeded.acme.post(
        "/v1/jobs", files={"file": ("voicemail.amr", amr, "audio/amr")}, data={"stages": "stt"}
    )
    assert answer.status_code == 202, answer.text
    job = wait_for_job(seeded.acme, answer.json()["id"])
    page = acme.page
    try:
        page.goto(f"/inbox/jobs/{job['id']}")

        page.evaluate("document.getElementById('recording').play()")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if page.evaluate("document.getElementById('recording').currentTime") > 0.2:
                break
            time.sleep(0.1)

        assert page.evaluate("document.getElementById('recording').currentTime") > 0.2
        assert page.evaluate("document.getElementById('recording').error") is None
        duration = page.evaluate("document.getElementById('recording').duration")
        assert duration == pytest.approx(job["input"]["duration_s"], abs=0.3)
    finally:
        # The other tests count the seeded inbox's rows.
        assert seeded.acme.delete(f"/v1/jobs/{job['id']}").status_code == 204


def test_a_refused_review_opens_at_its_message_with_the_form_next_in_tab_order(
    acme: Tab, seeded: Seeded
) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.audio_job}")

    page.get_by_role("button", name="Save review").click()  # nothing changed: a 400 page
    page.wait_for_load_state()

    error = page.locator("#review-error")
    assert "Nothing was changed" in error.inner_text()
    top = error.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"], "the message is off screen"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "r-caller", f"Tab went to {focused!r}, not the review form"
    acme.shot("12-review-refused")


def test_a_done_mark_ticked_by_mistake_is_taken_back_by_unticking_it(
    acme: Tab, seeded: Seeded
) -> None:
    job_id = seeded.batch_jobs[3]["id"]
    page = acme.page
    page.goto(f"/inbox/jobs/{job_id}")
    done = page.get_by_label("Done: this voicemail needs nothing more")
    done.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save review").click()

    done.uncheck()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save review").click()

    assert navigation.value.status == 200, page.locator("#review-error").all_inner_texts()
    assert page.locator("#review-saved").is_visible()
    assert not done.is_checked()
    assert page.locator("p.facts .badge.done").count() == 0, "still badged reviewed"
    assert page.get_by_role("row", name=re.compile("done mark taken back")).is_visible()
    page.goto("/inbox?reviewed=no")
    assert page.locator(f'tr[data-job="{job_id}"]').count() == 1
    acme.shot("13-done-taken-back")


def test_a_refused_key_is_typed_again_without_reaching_for_the_mouse(
    anonymous: Tab, seeded: Seeded
) -> None:
    page = anonymous.page
    page.goto("/inbox/sign-in")
    page.get_by_label("Your name").fill("Ann Reviewer")
    page.get_by_label("API key").fill("vp_mistyped")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator("#sign-in-error").is_visible()

    page.keyboard.type(ACME_KEY)  # the refused field has the focus, the name is kept
    page.keyboard.press("Enter")

    page.wait_for_url(f"{seeded.base}/inbox")
    assert page.get_by_text("signed in as").is_visible()
