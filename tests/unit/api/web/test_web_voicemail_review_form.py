"""The voicemail page's review form, over a real Valkey: CSRF, corrections stored with who and
before and shown, refusals keeping what was typed, marking done, redacted values typed, and forms
opened before someone else's review."""

from __future__ import annotations

import re

from shared.models import JobOptions
from shared.redaction_policy import JobRedaction
from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import Site, as_shown, csrf_of, voicemail


def _two_tabs(site: Site) -> tuple[str, str, str]:
    job = site.add(voicemail(caller_name="Dana", callback_number="+16172384411"))
    site.sign_in()
    tab_a = site.client.get(f"/inbox/jobs/{job.id}").text
    tab_b = site.client.get(f"/inbox/jobs/{job.id}").text
    fixed = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data=as_shown(tab_b, callback_number="+1 617 238 4410", caller_name="Dana Smith"),
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    return job.id, tab_a, tab_b


def test_a_review_posted_without_its_csrf_token_is_refused_and_nothing_is_stored(
    site: Site,
) -> None:
    job = site.add(voicemail())
    site.sign_in()

    answer = site.client.post(
        f"/inbox/jobs/{job.id}/review", data={"callback_number": "+14155550199"}
    )
    forged = site.client.post(
        f"/inbox/jobs/{job.id}/review", data={"csrf": "x" * 43, "callback_number": "+14155550199"}
    )

    assert answer.status_code == 403
    assert forged.status_code == 403
    assert ReviewStore(site.jobs.redis).for_job("acme", job.id) == []


def test_a_corrected_callback_number_is_stored_with_who_and_before_and_shown(site: Site) -> None:
    job = site.add(voicemail())
    site.sign_in(name="Ann Reviewer")
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    sent = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data={
            "csrf": csrf_of(page),
            "caller_name": "Sam Reyes",
            "callback_number": "+1 415 555 0199",
            "intent": "billing",
            "urgency": "high",
            "transcript": job.results.transcript or "",
        },
        follow_redirects=False,
    )
    after = site.client.get(sent.headers["location"]).text

    assert sent.status_code == 303
    [review] = ReviewStore(site.jobs.redis).for_job("acme", job.id)
    assert review.reviewer == "Ann Reviewer"
    assert [(c.field, c.before, c.after) for c in review.corrections] == [
        ("callback_number", "+14155550100", "+14155550199")
    ]
    assert "Your review was saved." in after
    assert 'href="tel:+14155550199"' in after
    assert "the machine had <bdi>+1 415-555-0100</bdi>" in after


def test_an_invalid_number_is_refused_with_the_reason_and_the_typed_values_kept(
    site: Site,
) -> None:
    job = site.add(voicemail())
    site.sign_in()
    token = csrf_of(site.client.get(f"/inbox/jobs/{job.id}").text)

    answer = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data={"csrf": token, "callback_number": "12", "caller_name": "Sam R."},
    )

    assert answer.status_code == 400
    assert "is not a valid phone number" in answer.text
    assert 'value="Sam R."' in answer.text
    assert ReviewStore(site.jobs.redis).for_job("acme", job.id) == []


def test_a_review_that_changes_nothing_is_refused_with_a_message(site: Site) -> None:
    job = site.add(voicemail())
    site.sign_in()
    token = csrf_of(site.client.get(f"/inbox/jobs/{job.id}").text)

    answer = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data={"csrf": token, "callback_number": "+14155550100", "urgency": "high"},
    )

    assert answer.status_code == 400
    assert "Nothing was changed" in answer.text


def test_marking_done_shows_the_voicemail_as_reviewed_in_the_inbox(site: Site) -> None:
    job = voicemail()
    job.results.needs_review, job.results.review_reasons = True, ["low_confidence"]
    site.add(job)
    site.sign_in()
    token = csrf_of(site.client.get(f"/inbox/jobs/{job.id}").text)

    site.client.post(f"/inbox/jobs/{job.id}/review", data={"csrf": token, "done": "yes"})

    assert "needs review" not in site.client.get("/inbox?reviewed=yes").text
    assert 'class="badge done">reviewed' in site.client.get("/inbox?reviewed=yes").text
    assert "No voicemail matches" in site.client.get("/inbox?reviewed=no").text


def test_a_redacted_voicemails_form_says_so_and_what_is_typed_is_kept_as_a_token(
    site: Site,
) -> None:
    job = voicemail(callback_number="[PHONE_NUMBER]", caller_name="[PERSON_NAME]")
    job.options = JobOptions(redact=JobRedaction())
    site.add(job)
    plain = site.add(voicemail())
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    sent = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data={"csrf": csrf_of(page), "caller_name": "Sam Reyes", "note": "ring 415 555 0199"},
        follow_redirects=False,
    )

    assert 'id="r-redacted"' in page
    assert 'id="r-redacted"' not in site.client.get(f"/inbox/jobs/{plain.id}").text
    assert sent.status_code == 303
    [review] = ReviewStore(site.jobs.redis).for_job("acme", job.id)
    assert review.corrections == []  # the typed name is "[PERSON_NAME]", as it was
    assert review.note == "ring [PHONE_NUMBER]"


def test_a_form_opened_before_anothers_corrections_saves_only_what_its_reviewer_changed(
    site: Site,
) -> None:
    job_id, tab_a, _ = _two_tabs(site)

    saved = site.client.post(
        f"/inbox/jobs/{job_id}/review",
        data=as_shown(tab_a, urgency="low", done="yes"),
        follow_redirects=False,
    )

    assert saved.status_code == 303
    store = ReviewStore(site.jobs.redis)
    assert store.corrected("acme", job_id) == {
        "callback_number": "+16172384410",
        "caller_name": "Dana Smith",
        "urgency": "low",
    }
    latest = store.for_job("acme", job_id)[-1]
    assert [(c.field, c.after) for c in latest.corrections] == [("urgency", "low")]
    assert latest.done


def test_a_field_someone_else_changed_meanwhile_is_not_overwritten_without_a_second_look(
    site: Site,
) -> None:
    job_id, tab_a, _ = _two_tabs(site)
    store = ReviewStore(site.jobs.redis)

    refused = site.client.post(
        f"/inbox/jobs/{job_id}/review",
        data=as_shown(tab_a, callback_number="+1 617 238 4499", urgency="low"),
    )

    assert refused.status_code == 409
    assert "someone else changed the callback number, now +16172384410" in refused.text
    assert 'value="+1 617 238 4499"' in refused.text  # what the reviewer typed is kept
    assert 'name="seen_callback_number" value="+16172384410"' in refused.text
    assert '<option value="low" selected>' in refused.text
    assert len(store.for_job("acme", job_id)) == 1
    # Saving again, having now been shown the other value, replaces it.
    again = site.client.post(
        f"/inbox/jobs/{job_id}/review",
        data=as_shown(refused.text, callback_number="+1 617 238 4499", urgency="low"),
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert store.corrected("acme", job_id)["callback_number"] == "+16172384499"
    assert store.corrected("acme", job_id)["urgency"] == "low"


def test_saving_done_again_adds_no_second_review(site: Site) -> None:
    job = site.add(voicemail())
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    answers = [
        site.client.post(
            f"/inbox/jobs/{job.id}/review",
            data=as_shown(page, done="yes"),
            follow_redirects=False,
        )
        for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [303, 303]
    assert len(ReviewStore(site.jobs.redis).for_job("acme", job.id)) == 1


def test_a_form_that_left_done_as_it_showed_it_keeps_what_someone_else_marked(
    site: Site,
) -> None:
    job = site.add(voicemail())
    site.sign_in()
    tab_a = site.client.get(f"/inbox/jobs/{job.id}").text
    tab_b = site.client.get(f"/inbox/jobs/{job.id}").text
    site.client.post(f"/inbox/jobs/{job.id}/review", data=as_shown(tab_b, done="yes"))

    site.client.post(f"/inbox/jobs/{job.id}/review", data=as_shown(tab_a, urgency="low"))

    [_, latest] = ReviewStore(site.jobs.redis).for_job("acme", job.id)
    assert [c.field for c in latest.corrections] == ["urgency"]
    assert latest.done
    page = site.client.get(f"/inbox/jobs/{job.id}").text
    assert re.search(r'id="r-done"[^>]* checked', page)
