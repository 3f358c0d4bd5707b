"""A batch's results as one table: a row per item, streamed as CSV or JSON Lines.

Rows are read a page at a time (job ids by item index, then one MGET of their records and one
pipelined read of their reviews) and written as they come, so exporting 10,000 items holds
one page in memory, not the batch.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from shared.batches import BatchItem, ItemRejection
from shared.batchstore import BatchStore
from shared.inputs import shown_source
from shared.jobstore import JobStore
from shared.kept_usage import KeptUsageStore, priced
from shared.models import Job
from shared.reviews import REVIEW_FIELDS, Review, ReviewStore, corrected_values
from shared.settings import Settings
from shared.usage import UsageFigures, job_usage

USAGE_COLUMNS = (
    "usage_audio_s",
    "usage_input_tokens",
    "usage_output_tokens",
    "usage_characters",
    "usage_cpu_s",
    "usage_cost",
)
# People's reviews (shared.reviews): the latest one's verdict, and each field's latest
# correction (empty where nobody corrected it).
REVIEW_COLUMNS = (
    "reviewed",
    "reviewed_at",
    "reviewer",
    *(f"corrected_{field}" for field in REVIEW_FIELDS),
)
COLUMNS = (
    "item_index",
    "source",
    "metadata",
    "job_id",
    "status",
    "failure_code",
    "failure_message",
    "duration_s",
    "transcript",
    "needs_review",
    "review_reasons",
    "caller_name",
    "callback_number",
    "callback_number_partial",
    "intent",
    "urgency",
    "requested_action",
    "summary",
    "emotion",
    "emotion_confidence",
    "sentiment",
    "speaking_rate_wpm",
    "snr_db",
    "bandwidth",
    "reply_text",
    "transcript_url",
    "reply_audio_url",
    # The job's usage ledger totals (shared.usage), the figures GET /v1/batches/{id}/usage
    # adds up.
    *USAGE_COLUMNS,
    *REVIEW_COLUMNS,
)
# Items read (and job records parsed) at once: what an export holds in memory, whatever the
# batch's size (~2 MB of records and rows at 100).
_PAGE = 100
_CHUNK_CHARS = 64 * 1024
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _job_row(
    index: int, job: Job, base: str, settings: Settings | None, reviews: list[Review]
) -> dict[str, Any]:
    triage = job.results.triage
    links = f"{base}/v1/jobs/{job.id}"
    return {
        "item_index": index,
        "source": job.source,
        "metadata": job.metadata,
        "job_id": job.id,
        "status": job.status.value,
        "failure_code": job.error.code if job.error else None,
        "failure_message": job.error.message if job.error else None,
        "duration_s": job.input.duration_s,
        "transcript": job.results.transcript,
        "needs_review": job.results.needs_review,
        "review_reasons": job.results.review_reasons,
        "caller_name": triage.caller_name if triage else None,
        "callback_number": triage.callback_number if triage else None,
        "callback_number_partial": triage.callback_number_partial if triage else None,
        "intent": triage.intent if triage else None,
        "urgency": triage.urgency if triage else None,
        "requested_action": triage.requested_action if triage else None,
        "summary": triage.summary if triage else None,
        **_analysis_cells(job),
        "reply_text": job.results.reply,
        "transcript_url": f"{links}/transcript" if job.results.transcript is not None else None,
        "reply_audio_url": f"{links}/reply" if job.results.reply_audio_key else None,
        **_usage_cells(job, settings),
        **_review_cells(reviews),
    }


def _review_cells(reviews: list[Review]) -> dict[str, Any]:
    if not reviews:
        return {**dict.fromkeys(REVIEW_COLUMNS), "reviewed": False}
    latest = reviews[-1]
    values = corrected_values(reviews)
    return {
        "reviewed": latest.done,
        "reviewed_at": latest.at.isoformat(),
        "reviewer": latest.reviewer,
        **{f"corrected_{field}": values.get(field) for field in REVIEW_FIELDS},
    }


def _usage_cells(job: Job, settings: Settings | None) -> dict[str, Any]:
    if settings is None:
        return dict.fromkeys(USAGE_COLUMNS)
    return _totals_cells(job_usage(job, settings).totals)


def _totals_cells(totals: UsageFigures) -> dict[str, Any]:
    return {column: getattr(totals, column.removeprefix("usage_")) for column in USAGE_COLUMNS}


def _analysis_cells(job: Job) -> dict[str, Any]:
    analysis = job.results.analysis
    tone = analysis.tone if analysis else None
    sound = analysis.audio if analysis else None
    return {
        "emotion": tone.emotion if tone else None,
        "emotion_confidence": tone.confidence if tone else None,
        "sentiment": tone.sentiment if tone else None,
        "speaking_rate_wpm": sound.speaking_rate_wpm if sound else None,
        "snr_db": sound.snr_db if sound else None,
        "bandwidth": sound.bandwidth if sound else None,
    }


def _rejected_row(rejection: ItemRejection) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        item_index=rejection.index,
        source=rejection.source,
        metadata=rejection.metadata,
        status="rejected",
        failure_code=rejection.code,
        failure_message=rejection.message,
    )
    return row


def _missing_row(
    index: int, job_id: str, item: BatchItem | None, deleted: bool, source: str | None
) -> dict[str, Any]:
    # Never a silent gap: the table keeps one row per item even if a record vanished, and
    # says which item it was (its source and metadata are the batch's, not the job's).
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        item_index=index,
        source=source,
        metadata=item.metadata if item else None,
        job_id=job_id,
        status="missing",
        failure_code="job_deleted" if deleted else "job_missing",
        failure_message="The job was deleted (DELETE /v1/jobs/{id})."
        if deleted
        else "The job's record is gone from the job store.",
    )
    return row


def _pending_row(index: int, item: BatchItem, source: str) -> dict[str, Any]:
    # An item the ingest workers have not made into a job yet (chunks expand in parallel):
    # a row of its own, so a table read mid-expansion has every item, not holes.
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(item_index=index, source=source, metadata=item.metadata, status="pending")
    return row


Entry = str | ItemRejection | BatchItem


def _every_item(batches: BatchStore, batch_id: str, known: int) -> Iterator[tuple[int, Entry]]:
    """Each item's job id or rejection in item order, and the item itself where it is
    neither yet: every index below ``known`` (the items listed so far) once."""

    def not_yet(start: int, stop: int) -> Iterator[tuple[int, Entry]]:
        for at in range(start, stop, _PAGE):
            for offset, item in enumerate(batches.items(batch_id, at, min(stop, at + _PAGE))):
                yield at + offset, item

    expected = 0
    for index, entry in batches.rows(batch_id, _PAGE):
        yield from not_yet(expected, index)
        yield index, entry
        expected = index + 1
    yield from not_yet(expected, known)


def result_rows(
    batches: BatchStore,
    jobs: JobStore,
    batch_id: str,
    base: str,
    settings: Settings | None = None,
) -> Iterator[dict[str, Any]]:
    """Every item's row in item order: its job's results, or why it never became a job, or
    that it is not one yet; with ``settings`` (the price table), its job's usage figures too."""
    page: list[tuple[int, Entry]] = []
    review_store = ReviewStore(jobs.redis)
    kept_store = KeptUsageStore(jobs.redis)
    state = batches.get(batch_id)
    redact = state.batch.options.redact
    config = settings.redaction if settings else None
    known = state.items if state.items is not None else batches.listed(batch_id)

    def flush() -> Iterator[dict[str, Any]]:
        ids = [entry for _, entry in page if isinstance(entry, str)]
        found = {job.id: job for job in jobs.get_many(ids) if job is not None}
        tenant = state.batch.tenant
        reviews = review_store.for_jobs(tenant, list(found)) if found else {}
        # Read after the records: a job deleted meanwhile is found one way or the other.
        gone = [i for i in ids if i not in found]
        kept = {k.job_id: k for k in kept_store.get_many(tenant, gone)} if gone else {}
        for index, entry in page:
            if isinstance(entry, ItemRejection):
                yield _rejected_row(entry)
            elif isinstance(entry, BatchItem):
                yield _pending_row(index, entry, shown_source(entry.source, redact, config))
            elif entry in found:
                yield _job_row(index, found[entry], base, settings, reviews[entry])
            else:
                item = next(iter(batches.items(batch_id, index, index + 1)), None)
                source = shown_source(item.source, redact, config) if item else None
                deleted = entry in kept or jobs.was_deleted(entry)
                row = _missing_row(index, entry, item, deleted, source)
                if entry in kept and settings is not None:
                    # What it consumed is still billed (shared.kept_usage): the batch's
                    # usage total stays the sum of its rows.
                    row.update(_totals_cells(priced(kept[entry], settings).totals))
                yield row
        page.clear()

    for index, entry in _every_item(batches, batch_id, known):
        page.append((index, entry))
        if len(page) >= _PAGE:
            yield from flush()
    yield from flush()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)  # a number's own text is no formula: "-0.2" stays a number
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    elif isinstance(value, list):
        # Codes such as review reasons: one cell, the way spreadsheets filter on.
        text = " ".join(map(str, value))
    else:
        text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text  # shown as typed, never evaluated
    return text


def _chunks(lines: Iterator[str]) -> Iterator[bytes]:
    # Sent in pieces of ~64 KB, not a row at a time: each piece is one hop from the worker
    # thread to the event loop and one write, and the response holds at most one.
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= _CHUNK_CHARS:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _csv_lines(rows: Iterator[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    # A byte-order mark, so spreadsheet programs read the file as UTF-8.
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(row[column]) for column in columns])
        yield buffer.getvalue()


def as_csv(rows: Iterator[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> Iterator[bytes]:
    """The rows as CSV with these columns (the usage reports use the same writer)."""
    return _chunks(_csv_lines(rows, columns))


# JSON leaves these as they are, but str.splitlines() (and other Unicode-aware readers) end
# a line at each: a metadata value holding one split its record in two.
_LINE_ENDS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def as_jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    return _chunks(json.dumps(row, ensure_ascii=False).translate(_LINE_ENDS) + "\n" for row in rows)
