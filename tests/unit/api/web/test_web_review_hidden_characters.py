"""The review form drops the invisible characters a person pasted with what they typed (a
right-to-left override, a zero-width space), which they cannot see to take out and which the
JSON API refuses; the transcript keeps its line breaks."""

from __future__ import annotations

from shared.reviews import ReviewStore
from tests.unit.api.web.conftest import Site, as_shown, voicemail


def test_a_pasted_bidi_override_and_zero_width_space_are_dropped_from_a_correction(
    site: Site,
) -> None:
    job = site.add(voicemail(caller_name="Dana"))
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    sent = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data=as_shown(
            page,
            caller_name="Dana\u202e htimS\u200b",
            transcript="Call me back\u2066 on\r\nsix one seven\u2069",
            note="called \u202eback",
        ),
        follow_redirects=False,
    )

    assert sent.status_code == 303, sent.text
    [review] = ReviewStore(site.jobs.redis).for_job("acme", job.id)
    assert {c.field: c.after for c in review.corrections} == {
        "caller_name": "Dana htimS",
        "transcript": "Call me back on\nsix one seven",
    }
    assert review.note == "called back"


def test_a_machine_value_with_an_invisible_character_sent_back_unchanged_is_no_correction(
    site: Site,
) -> None:
    job = site.add(voicemail(caller_name="Dana\u200b"))
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{job.id}").text

    sent = site.client.post(
        f"/inbox/jobs/{job.id}/review",
        data=as_shown(page, done="yes"),
        follow_redirects=False,
    )

    assert sent.status_code == 303, sent.text
    [review] = ReviewStore(site.jobs.redis).for_job("acme", job.id)
    assert review.corrections == []
    assert review.done
