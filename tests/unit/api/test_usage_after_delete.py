"""Deleting a job does not unbill it: what it consumed stays in the tenant's usage reports,
its batch's total and its batch's export, priced as every job is, with nothing the
recording said kept (shared.kept_usage)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.main import create_app
from api.security import key_entry
from shared.batches import Batch, BatchItem, batch_job_id
from shared.batchstore import BatchStore
from shared.jobstore import JobStore
from shared.kept_usage import kept_write
from shared.models import Job, Triage, Usage
from shared.redis_keys import connect, key
from shared.settings import Settings
from tests.conftest import ValkeyProcess
from tests.usage_factories import finished_job

ACME = {"Authorization": "Bearer vp_" + "a" * 43}
GLOBEX = {"Authorization": "Bearer vp_" + "b" * 43}
DAY = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WINDOW = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-05T00:00:00Z"}
FIGURES = ("jobs", "audio_s", "input_tokens", "output_tokens", "characters", "cpu_s", "cost")


def _settings(tmp_path: Path, valkey: ValkeyProcess, **overrides: Any) -> Settings:
    keys = [
        key_entry("acme", ACME["Authorization"][7:]),
        key_entry("globex", GLOBEX["Authorization"][7:]),
    ]
    return Settings(data_dir=tmp_path, broker={"url": valkey.url}, auth={"keys": keys}, **overrides)


def _jobs() -> list[Job]:
    claude = Usage(input_tokens=1000, output_tokens=200, model="claude-sonnet-4-6")
    private = finished_job(
        tenant="acme",
        created_at=DAY + timedelta(hours=1),
        audio_s=90.0,
        providers=("whisper", "claude", "local"),
        transcription={"engine": "whisper", "model": "whisper-1", "text": "Rosalind Pemberton"},
        usage=claude,
        reply="Dear Rosalind Pemberton, we will call 415 555 0199.",
        metadata={"customer": "Pemberton account"},
    )
    private.results.transcript = "Hi, this is Rosalind Pemberton, call me on 415 555 0199."
    private.results.triage = Triage(caller_name="Rosalind Pemberton", summary="Pemberton")
    private.input.filename = "pemberton-voicemail.wav"
    return [finished_job(tenant="acme", created_at=DAY, audio_s=30.0), private]


def _store(valkey: ValkeyProcess, *jobs: Job) -> None:
    store = JobStore(connect(valkey.url))
    for job in jobs:
        store.create(job)


def test_a_deleted_jobs_usage_stays_in_the_tenants_report_and_its_own_ledger_is_gone(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    jobs = _jobs()
    _store(valkey, *jobs)
    client = TestClient(create_app(_settings(tmp_path, valkey)))
    params = {**WINDOW, "group_by": "provider"}
    before = client.get("/v1/usage", params=params, headers=ACME).json()

    assert client.delete(f"/v1/jobs/{jobs[1].id}", headers=ACME).status_code == 204
    after = client.get("/v1/usage", params=params, headers=ACME).json()
    by_day = client.get("/v1/usage", params=WINDOW, headers=ACME).json()
    table = client.get("/v1/usage", params={**params, "format": "csv"}, headers=ACME)

    assert before["totals"]["cost"] > 0
    assert after["totals"] == before["totals"]
    assert after["rows"] == before["rows"]
    assert (before["deleted_jobs"], after["deleted_jobs"]) == (0, 1)
    assert [(r["day"], r["jobs"]) for r in by_day["rows"]] == [("2026-11-02", 2)]
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert _sum(r["cost"] for r in rows) == Decimal(str(before["totals"]["cost"]))
    assert client.get(f"/v1/jobs/{jobs[1].id}/usage", headers=ACME).status_code == 404


def test_a_deleted_jobs_kept_usage_holds_nothing_the_recording_or_the_client_said(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    jobs = _jobs()
    _store(valkey, *jobs)
    client = TestClient(create_app(_settings(tmp_path, valkey)))

    client.delete(f"/v1/jobs/{jobs[1].id}", headers=ACME)
    kept = connect(valkey.url).hgetall(key("usage-kept", "acme"))

    assert list(kept) == [jobs[1].id.encode()]
    text = kept[jobs[1].id.encode()].decode()
    assert '"meter":"audio_s"' in text
    # The job's id is random hex, which holds "415" or "0199" now and then.
    text = text.replace(jobs[1].id, "<id>")
    for said in ("Pemberton", "Rosalind", "415", "0199", "voicemail.wav", "customer"):
        assert said not in text, said


def test_a_deleted_job_is_priced_at_the_tables_current_prices_like_every_job(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    jobs = _jobs()
    _store(valkey, *jobs)
    TestClient(create_app(_settings(tmp_path, valkey))).delete(
        f"/v1/jobs/{jobs[1].id}", headers=ACME
    )
    dearer = _settings(tmp_path, valkey, prices={"audio_per_minute": {"whisper:whisper-1": 1.0}})

    body = TestClient(create_app(dearer)).get("/v1/usage", params=WINDOW, headers=ACME).json()

    # 90 s of audio at 1.0 a minute, where the default table prices it at 0.006.
    assert body["totals"]["cost"] > 1.5


def test_another_tenant_never_sees_a_deleted_jobs_usage(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    jobs = _jobs()
    _store(valkey, *jobs)
    client = TestClient(create_app(_settings(tmp_path, valkey)))

    client.delete(f"/v1/jobs/{jobs[1].id}", headers=ACME)
    body = client.get("/v1/usage", params=WINDOW, headers=GLOBEX).json()

    assert (body["totals"]["jobs"], body["deleted_jobs"], body["rows"]) == (0, 0, [])


def test_the_window_cap_counts_the_deleted_jobs_a_report_would_read(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    jobs = _jobs()
    _store(valkey, *jobs)
    TestClient(create_app(_settings(tmp_path, valkey))).delete(
        f"/v1/jobs/{jobs[1].id}", headers=ACME
    )
    capped = TestClient(create_app(_settings(tmp_path, valkey, usage={"max_jobs": 1})))

    response = capped.get("/v1/usage", params=WINDOW, headers=ACME)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_jobs"


def test_a_batchs_usage_and_export_keep_a_deleted_jobs_figures(
    tmp_path: Path, valkey: ValkeyProcess
) -> None:
    client_redis = connect(valkey.url)
    batch = Batch(source="manifest", tenant="acme")
    items = [BatchItem(url=f"https://e.com/{i}.wav") for i in (0, 1)]
    BatchStore(client_redis).create(batch, items)
    jobs = [
        finished_job(
            tenant="acme", id=batch_job_id(batch.id, i), batch_id=batch.id, batch_index=i, **shape
        )
        for i, shape in enumerate([{"audio_s": 12.345}, {"audio_s": 61.7, "reply": "x" * 77}])
    ]
    _store(valkey, *jobs)
    client = TestClient(create_app(_settings(tmp_path, valkey)))
    before = client.get(f"/v1/batches/{batch.id}/usage", headers=ACME).json()

    client.delete(f"/v1/jobs/{jobs[1].id}", headers=ACME)
    client_redis.delete(key("deleted", jobs[1].id))  # the 24-hour marker has passed
    after = client.get(f"/v1/batches/{batch.id}/usage", headers=ACME).json()
    export = client.get(f"/v1/batches/{batch.id}/results", params={"format": "csv"}, headers=ACME)
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))

    assert after["totals"] == before["totals"]
    assert (rows[1]["status"], rows[1]["failure_code"]) == ("missing", "job_deleted")
    for figure in FIGURES[1:]:
        total = Decimal(str(after["totals"][figure]))
        assert total == _sum(row[f"usage_{figure}"] for row in rows), figure


def test_a_delete_keeps_the_usage_of_the_record_as_it_removes_it_not_as_first_read(
    valkey: ValkeyProcess,
) -> None:
    store = JobStore(connect(valkey.url))
    job = finished_job(tenant="acme", created_at=DAY, audio_s=30.0)
    store.create(job)
    settings = Settings()
    made_from: list[float] = []

    def keep(read: Job) -> Any:
        made_from.append(read.input.duration_s)
        if len(made_from) == 1:
            # A write lands between the delete's read and its script (a stage finishing).
            store.update(job.id, lambda j: setattr(j.input, "duration_s", 45.0))
        return kept_write(read, settings)

    store.delete(job, keep)
    kept = connect(valkey.url).hget(key("usage-kept", "acme"), job.id)

    assert made_from == [30.0, 45.0]
    assert kept is not None
    assert '"quantity":45.0' in kept.decode()
    assert not store.exists(job.id)


def _sum(values: Any) -> Decimal:
    return sum((Decimal(str(v)) for v in values if v not in (None, "")), Decimal(0))
