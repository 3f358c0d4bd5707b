"""The voicemail page of a job whose objects retention deleted says so, with the date,
instead of reading as a job not yet transcribed or triaged, or as corrected to nothing."""

from __future__ import annotations

from shared.models import JobStatus, utcnow
from shared.retention import purge
from shared.reviews import Correction, Review, ReviewStore
from tests.unit.api.web.conftest import Site, csrf_of, voicemail


def _reviewed(site: Site, job_id: str) -> None:
    corrections = [
        Correction(field="caller_name", before="Sam Reyes", after="Samuel Reyes"),
        Correction(field="intent", before="billing", after="repair"),
    ]
    review = Review(
        job_id=job_id, tenant="acme", reviewer="Ann", at=utcnow(), corrections=corrections,
        done=False,
    )  # fmt: skip
    assert ReviewStore(site.jobs.redis).add(review, []) == "added"


def test_a_purged_voicemail_says_retention_deleted_its_transcript_and_triage_and_when(
    site: Site,
) -> None:
    job = voicemail()
    job.results.transcript = "Hi, it's Sam Reyes about my bill"
    site.add(job)
    _reviewed(site, job.id)
    purged = purge(site.jobs, site.storage, job.id)
    assert purged.objects_deleted_at is not None
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text

    deleted_on = purged.objects_deleted_at.strftime("%Y-%m-%d %H:%M UTC")
    assert "No transcript yet" not in page
    assert "Not triaged yet" not in page
    assert "the machine had none" not in page
    assert "Corrected transcript" not in page
    assert "The transcript was deleted with the recording by retention on" in page
    assert "The triage (caller, number, summary) was deleted" in page
    assert page.count(deleted_on) >= 2
    assert "Sam" not in page
    assert "corrected" in page, "the intent a person chose is kept and shown as theirs"
    assert "deleted by retention</td>" in page, "the blanked correction is not shown as a dash"


def test_a_purged_canceled_voicemail_does_not_read_as_waiting_for_triage(site: Site) -> None:
    job = voicemail()
    job.results.triage = None
    job.results.transcript = None
    job.status = JobStatus.CANCELED
    site.add(job)
    purge(site.jobs, site.storage, job.id)
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text

    assert "Not triaged yet" not in page
    assert "No transcript yet" not in page
    assert "Whatever was triaged (caller, number, summary) was deleted" in page


def test_a_purged_voicemails_form_offers_only_what_can_still_be_reviewed(site: Site) -> None:
    # Before, it offered the caller, number, transcript and note, each refused with 410.
    job = voicemail()
    site.add(job)
    purge(site.jobs, site.storage, job.id)
    site.sign_in()

    page = site.client.get(f"/inbox/jobs/{job.id}").text
    token = csrf_of(page)
    saved = site.client.post(
        f"/inbox/jobs/{job.id}/review", data={"csrf": token, "urgency": "high", "done": "yes"}
    )

    for gone in ("caller_name", "callback_number", "transcript", "note"):
        assert f'name="{gone}"' not in page
    for kept in ("intent", "urgency", "done"):
        assert f'name="{kept}"' in page
    assert 'id="r-purged"' in page
    assert saved.status_code == 200, saved.text
    assert "Your review was saved." in saved.text
