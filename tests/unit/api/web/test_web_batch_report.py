"""A batch's report page: counters and one pass over its jobs drawn as SVG charts, the
latency table, its results as CSV, and its evaluation set once something was reviewed."""

from __future__ import annotations

import csv
import io

from shared.batch_keys import jobs_key, tenant_batches_key
from shared.batches import Batch, BatchItem, batch_job_id
from shared.batchstore import BatchStore
from shared.models import ErrorInfo, Job, JobStatus, Stage, StageStatus
from tests.unit.api.web.conftest import GLOBEX_KEY, Site, as_shown, voicemail


def _batch(site: Site) -> tuple[str, list[Job]]:
    batch = Batch(tenant="acme", source="manifest")
    items = [BatchItem(url=f"https://example.com/{i}.wav") for i in range(3)]
    BatchStore(site.jobs.redis).create(batch, items)
    shapes = [
        {"intent": "billing", "urgency": "high"},
        {"intent": "repair", "urgency": "normal"},
    ]
    jobs = []
    for index, triage in enumerate(shapes):
        job = voicemail(**triage)
        job.id, job.batch_id, job.batch_index = batch_job_id(batch.id, index), batch.id, index
        job.results.needs_review = index == 0
        jobs.append(job)
    failed = voicemail()
    failed.id, failed.batch_id, failed.batch_index = batch_job_id(batch.id, 2), batch.id, 2
    failed.stages[Stage.TTS].status = StageStatus.FAILED
    failed.status, failed.failed_stage = JobStatus.FAILED, Stage.TTS
    failed.error = ErrorInfo(code="tts.internal", message="the voice broke")
    failed.results.triage = None
    failed.results.needs_review = None
    jobs.append(failed)
    for job in jobs:
        _store(site, job)
    return batch.id, jobs


def _store(site: Site, job: Job) -> None:
    """Stored as the ingest worker makes it, then moved to its end as the stages do (the
    batch's counters follow the record's changes)."""
    final = job.model_copy(deep=True)
    job.status, job.error = JobStatus.QUEUED, None
    assert site.jobs.create_batch_job(job)

    def finish(stored: Job) -> None:
        for name in ("status", "stages", "results", "error", "failed_stage"):
            setattr(stored, name, getattr(final, name))

    site.jobs.update(job.id, finish)


def test_the_report_draws_status_failure_intent_and_urgency_charts(site: Site) -> None:
    batch_id, _ = _batch(site)
    site.sign_in()

    page = site.client.get(f"/inbox/batches/{batch_id}").text

    assert page.count("<svg") == 4
    assert "Jobs by status: succeeded 2, failed 1." in page
    assert "Failures by code: tts.internal 1." in page
    assert "Intents: billing 1, repair 1." in page
    assert "Urgencies: high 1, normal 1, low 0." in page
    assert "1 of 2 triaged (50.0 %)" in page
    assert page.count('<th scope="row">stt</th>') == 2  # run and wait rows


def test_the_reports_csv_has_a_row_per_item_with_the_review_columns(site: Site) -> None:
    batch_id, jobs = _batch(site)
    site.sign_in()

    answer = site.client.get(f"/inbox/batches/{batch_id}/report.csv")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["job_id"] for row in rows] == [job.id for job in jobs]
    assert "corrected_callback_number" in rows[0]


def test_the_evaluation_set_waits_for_a_reviewed_recording(site: Site) -> None:
    batch_id, _ = _batch(site)
    site.sign_in()

    answer = site.client.get(f"/inbox/batches/{batch_id}/evaluation-set.zip")

    assert answer.status_code == 409
    assert "no reviewed recording yet" in answer.text


def test_the_batches_are_listed_and_another_tenants_batch_is_not_found(site: Site) -> None:
    batch_id, _ = _batch(site)
    site.sign_in()
    listed = site.client.get("/inbox/batches").text
    site.sign_in(GLOBEX_KEY)

    paths = ("", "/report.csv", "/evaluation-set.zip")
    answers = [site.client.get(f"/inbox/batches/{batch_id}{path}") for path in paths]

    assert f'href="/inbox/batches/{batch_id}"' in listed
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert batch_id not in site.client.get("/inbox/batches").text


def test_a_batch_gone_between_listing_and_reading_leaves_the_others_listed(site: Site) -> None:
    batch_id, _ = _batch(site)
    # Listed, its record gone: a batch discarded while the page read the list.
    site.jobs.redis.zadd(tenant_batches_key("acme"), {"bat_gone": 1e12})
    site.sign_in()

    listed = site.client.get("/inbox/batches")

    assert listed.status_code == 200
    assert f'href="/inbox/batches/{batch_id}"' in listed.text
    assert "bat_gone" not in listed.text


def test_a_batch_id_naming_one_of_the_batchs_own_keys_is_no_such_batch(site: Site) -> None:
    batch_id, _ = _batch(site)
    site.sign_in(GLOBEX_KEY)

    # ':jobs' is the batch's sorted set of jobs: read as a batch, a 500 page, which told
    # another tenant that the batch exists.
    paths = ("", "/report.csv", "/evaluation-set.zip")
    answers = [site.client.get(f"/inbox/batches/{batch_id}:jobs{path}") for path in paths]

    assert site.jobs.redis.exists(jobs_key(batch_id))
    assert [a.status_code for a in answers] == [404, 404, 404]


def test_the_reports_intents_and_urgencies_count_peoples_corrections_as_the_inbox_does(
    site: Site,
) -> None:
    batch_id, jobs = _batch(site)
    site.sign_in()
    page = site.client.get(f"/inbox/jobs/{jobs[0].id}").text
    saved = site.client.post(
        f"/inbox/jobs/{jobs[0].id}/review",
        data=as_shown(page, intent="repair", urgency="low"),
        follow_redirects=False,
    )
    assert saved.status_code == 303

    report = site.client.get(f"/inbox/batches/{batch_id}").text
    listed = site.client.get("/inbox", params={"batch": batch_id, "intent": "repair"}).text

    assert "Intents: repair 2." in report
    assert "Urgencies: high 0, normal 1, low 1." in report
    assert "2 voicemails match" in listed
