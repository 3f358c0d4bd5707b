"""The voicemail page, over a real Valkey: markup shown as text, another tenant's voicemail not
found, the recording served for the player, a canceled voicemail's status and a redacted callback
number."""

from __future__ import annotations

import re

from shared.job_transitions import cancel
from shared.models import JobOptions, JobStatus, Stage, StageStatus
from shared.redaction_policy import JobRedaction
from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import GLOBEX_KEY, Site, csrf_of, voicemail
from tests.usage_factories import finished_job

MARKUP = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_a_transcript_and_triage_with_markup_are_shown_as_text(site: Site) -> None:
    job = voicemail(caller_name=MARKUP, summary=MARKUP)
    job.results.transcript = f"Hello {MARKUP} call me"
    site.add(job)
    site.sign_in()

    inbox = site.client.get("/inbox").text
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    for html in (inbox, page):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(re.findall("<script", page)) == 1  # app.js, and nothing else


def test_another_tenants_voicemail_its_audio_and_review_are_not_found(site: Site) -> None:
    theirs = site.add(voicemail(tenant="acme"))
    site.sign_in(GLOBEX_KEY)
    token = csrf_of(site.client.get("/inbox").text)

    answers = [
        site.client.get(f"/inbox/jobs/{theirs.id}"),
        site.client.get(f"/inbox/jobs/{theirs.id}/audio"),
        site.client.get(f"/inbox/jobs/{theirs.id}/reply-audio"),
        site.client.post(f"/inbox/jobs/{theirs.id}/review", data={"csrf": token, "done": "yes"}),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert "text/html" in answers[0].headers["content-type"]
    assert ReviewStore(site.jobs.redis).for_job("acme", theirs.id) == []


def test_the_recording_is_served_whole_and_in_byte_ranges_for_seeking(site: Site) -> None:
    job = voicemail()
    data = bytes(range(256)) * 4
    site.storage.put(job.input.key, data, "audio/wav")
    site.add(job)
    site.sign_in()

    whole = site.client.get(f"/inbox/jobs/{job.id}/audio")
    part = site.client.get(f"/inbox/jobs/{job.id}/audio", headers={"Range": "bytes=100-199"})

    assert whole.status_code == 200
    assert whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"


def test_a_canceled_voicemail_says_canceled_and_during_which_stage_not_failed_at_intake(
    site: Site,
) -> None:
    running_llm = voicemail()
    running_llm.status = JobStatus.RESPONDING
    running_llm.stages[Stage.LLM].status = StageStatus.RUNNING
    running_llm.stages[Stage.TTS].status = StageStatus.PENDING
    cancel(running_llm)
    before_any = finished_job(tenant="acme")
    before_any.status = JobStatus.QUEUED
    for record in before_any.stages.values():
        record.status = StageStatus.PENDING
    cancel(before_any, "The batch was canceled.")
    site.add(running_llm)
    site.add(before_any)
    site.sign_in()

    during = site.client.get(f"/inbox/jobs/{running_llm.id}").text
    before = site.client.get(f"/inbox/jobs/{before_any.id}").text

    assert "Failed at" not in during + before
    assert "Canceled during llm. The job was canceled by request." in during
    assert "Canceled before stt. The batch was canceled." in before


def test_a_redacted_callback_number_is_shown_as_its_token_with_no_call_link_or_copy_button(
    site: Site,
) -> None:
    job = voicemail(callback_number="[PHONE_NUMBER:3f9a1c2b]")
    job.options = JobOptions(redact=JobRedaction())
    site.add(job)
    plain = site.add(voicemail())
    site.sign_in()

    inbox = site.client.get("/inbox").text
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    for html in (inbox, page):
        assert '<span class="phone redacted">[PHONE_NUMBER:3f9a1c2b]</span>' in html
        assert 'href="tel:[PHONE' not in html
        assert 'data-copy="[PHONE' not in html
    assert 'href="tel:+14155550100"' in site.client.get(f"/inbox/jobs/{plain.id}").text
