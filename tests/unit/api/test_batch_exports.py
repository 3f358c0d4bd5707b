from __future__ import annotations

import csv
import io
import json

from api.batch_exports import COLUMNS, REVIEW_COLUMNS, as_csv, as_jsonl, result_rows
from shared.batches import Batch, BatchItem, batch_job_id
from shared.batchstore import BatchStore
from shared.jobstore import JobStore
from shared.models import JobOptions, utcnow
from shared.redaction_policy import JobRedaction
from shared.redis_keys import connect
from shared.reviews import Correction, Review, ReviewStore
from tests.conftest import ValkeyProcess
from tests.factories import voicemail_job


def _row(**values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(COLUMNS)
    row.update(values)
    return row


def _parse(rows: list[dict[str, object]]) -> list[dict[str, str]]:
    text = b"".join(as_csv(iter(rows))).decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark tells spreadsheets it is UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_neutralised() -> None:
    risky = ['=HYPERLINK("http://x")', "+13125550100", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    rows = [_row(item_index=i, source=value) for i, value in enumerate(risky)]

    parsed = _parse(rows)

    assert [r["source"] for r in parsed] == ["'" + value for value in risky]


def test_csv_numbers_stay_numbers_however_they_start() -> None:
    # "-0.2" in a text column would be a formula's start; a number's own text never is.
    parsed = _parse([_row(item_index=0, sentiment=-0.2, snr_db=-3, duration_s=12.5)])

    assert (parsed[0]["sentiment"], parsed[0]["snr_db"], parsed[0]["duration_s"]) == (
        "-0.2",
        "-3",
        "12.5",
    )


def test_csv_has_a_header_quotes_every_field_and_keeps_unicode_and_newlines() -> None:
    rows = [_row(item_index=0, transcript='Grüße, "Ana"\nline two', metadata={"k": "é"})]

    text = b"".join(as_csv(iter(rows))).decode("utf-8")
    parsed = _parse(rows)

    assert text.splitlines()[0].lstrip("\ufeff") == ",".join(f'"{c}"' for c in COLUMNS)
    assert parsed[0]["transcript"] == 'Grüße, "Ana"\nline two'
    assert json.loads(parsed[0]["metadata"]) == {"k": "é"}
    assert parsed[0]["job_id"] == ""


def test_jsonl_keeps_values_typed_one_object_per_line() -> None:
    rows = [_row(item_index=1, needs_review=True, metadata={"n": 2}), _row(item_index=2)]

    lines = b"".join(as_jsonl(iter(rows))).decode().splitlines()

    assert [json.loads(line)["item_index"] for line in lines] == [1, 2]
    assert json.loads(lines[0])["needs_review"] is True
    assert json.loads(lines[0])["metadata"] == {"n": 2}
    assert json.loads(lines[0])["source"] is None, "no neutralising in JSON: nothing runs it"


def test_a_reviewed_jobs_row_has_its_verdict_and_corrections_and_an_unreviewed_one_has_none(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    jobs, batches = JobStore(client), BatchStore(client)
    batch = Batch(tenant="acme", source="manifest")
    batches.create(batch, [BatchItem(key="a.wav"), BatchItem(key="b.wav")])
    made = [
        voicemail_job(id=batch_job_id(batch.id, i), batch_id=batch.id, batch_index=i)
        for i in range(2)
    ]
    for job in made:
        jobs.create_batch_job(job)
    at = utcnow()
    fix = Correction(field="callback_number", before=None, after="+16172384410")
    review = Review(
        job_id=made[0].id, tenant="acme", reviewer="Ana", at=at, corrections=[fix], done=True
    )
    ReviewStore(client).add(review, [])

    rows = list(result_rows(batches, jobs, batch.id, "http://api"))
    parsed = _parse(rows)

    assert [r["reviewed"] for r in rows] == [True, False]
    assert rows[0]["reviewed_at"] == at.isoformat()
    assert rows[0]["reviewer"] == "Ana"
    assert rows[0]["corrected_callback_number"] == "+16172384410"
    assert rows[0]["corrected_intent"] is None, "empty where nobody corrected it"
    assert all(rows[1][column] is None for column in REVIEW_COLUMNS[1:])
    assert parsed[0]["corrected_callback_number"] == "'+16172384410"
    assert parsed[0]["reviewed"] == "true"
    assert parsed[1]["corrected_transcript"] == ""
    assert set(REVIEW_COLUMNS) == {
        "reviewed",
        "reviewed_at",
        "reviewer",
        "corrected_transcript",
        "corrected_callback_number",
        "corrected_caller_name",
        "corrected_intent",
        "corrected_urgency",
    }


def test_a_deleted_jobs_row_still_names_its_item_and_says_it_was_deleted(
    valkey: ValkeyProcess,
) -> None:
    # Before: source and metadata empty, and "gone from the job store", so nobody could
    # tell which recording the row was or why its job was missing.
    client = connect(valkey.url)
    jobs, batches = JobStore(client), BatchStore(client)
    batch = Batch(tenant="acme", source="manifest")
    batches.create(batch, [BatchItem(key="a.wav"), BatchItem(key="b.wav", metadata={"box": "7"})])
    made = [
        voicemail_job(id=batch_job_id(batch.id, i), batch_id=batch.id, batch_index=i)
        for i in range(2)
    ]
    for job in made:
        jobs.create_batch_job(job)
    jobs.delete(made[1])

    rows = list(result_rows(batches, jobs, batch.id, "http://api"))

    assert [r["status"] for r in rows] == [made[0].status.value, "missing"]
    assert (rows[1]["source"], rows[1]["metadata"]) == ("b.wav", {"box": "7"})
    assert rows[1]["failure_code"] == "job_deleted"


def test_a_redacting_batchs_deleted_job_row_names_its_item_without_the_callers_number(
    valkey: ValkeyProcess,
) -> None:
    client = connect(valkey.url)
    jobs, batches = JobStore(client), BatchStore(client)
    batch = Batch(tenant="acme", source="manifest", options=JobOptions(redact=JobRedaction()))
    batches.create(batch, [BatchItem(key="vm/+14155552671.wav")])
    job = voicemail_job(id=batch_job_id(batch.id, 0), batch_id=batch.id, batch_index=0)
    jobs.create_batch_job(job)
    jobs.delete(job)

    rows = list(result_rows(batches, jobs, batch.id, "http://api"))

    assert rows[0]["source"] == "vm/[PHONE_NUMBER].wav"


def test_an_export_while_the_batch_expands_has_a_pending_row_for_each_item_not_yet_a_job(
    valkey: ValkeyProcess,
) -> None:
    # Chunks expand in parallel: items 0 and 2 are jobs, 1 and 3 are not yet. Before, the
    # table had two rows, with nothing to say items 1 and 3 existed.
    client = connect(valkey.url)
    jobs, batches = JobStore(client), BatchStore(client)
    batch = Batch(tenant="acme", source="manifest")
    items = [BatchItem(key=f"{n}.wav", metadata={"n": n}) for n in range(4)]
    batches.create(batch, items)
    for index in (0, 2):
        job = voicemail_job(id=batch_job_id(batch.id, index), batch_id=batch.id, batch_index=index)
        jobs.create_batch_job(job)

    rows = list(result_rows(batches, jobs, batch.id, "http://api"))

    assert [r["item_index"] for r in rows] == [0, 1, 2, 3]
    assert [r["status"] for r in rows[1::2]] == ["pending", "pending"]
    assert [(r["source"], r["metadata"]) for r in rows[1::2]] == [
        ("1.wav", {"n": 1}),
        ("3.wav", {"n": 3}),
    ]
    assert rows[1]["job_id"] is None
