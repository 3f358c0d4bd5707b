"""A batch's reviewed voicemails as an evaluation set: each one's recording, and a
``voicemails.json`` in the format of ``tests/quality/voicemails.json``, with what the people
settled on (the machine's output with their corrections) as the expected answers.

``make quality EVAL=<unzipped folder>`` scores the offline path against it. The zip is
streamed: one recording is read and sent at a time, the manifest written last.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi.responses import StreamingResponse

from api.reviewing import machine_values
from shared.batchstore import BatchStore
from shared.errors import StorageKeyNotFound
from shared.jobstore import JobStore
from shared.models import Job
from shared.redaction.detect import TOKEN
from shared.reviews import Review, ReviewStore, corrected_values
from shared.storage import ObjectStorage

MANIFEST = "voicemails.json"
ABOUT = "export.json"
_PAGE = 500


@dataclass
class EvaluationSet:
    """The entries to export, each with its recording's key, and the reviewed jobs left
    out with the reason."""

    batch_id: str
    entries: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    excluded: list[dict[str, str]] = field(default_factory=list)


_SCORED = ("transcript", "caller_name", "callback_number")


def _left_out(job: Job, values: dict[str, str | None]) -> str | None:
    if job.input.kind != "audio":
        return "made from typed text: no recording"
    if job.objects_deleted_at is not None:
        return "its recording was deleted (retention or request)"
    if not values["transcript"]:
        return "no transcript"
    if any(TOKEN.search(values[name] or "") for name in _SCORED):
        # What a redacted job keeps: "[PHONE_NUMBER]" would be scored against the hearing
        # of a recording that says the number, and count as wrong.
        return "redacted: its answers are redaction tokens, which no hearing can match"
    if not values["intent"] or not values["urgency"]:
        return "no intent or urgency (the reply stage did not run; correct them to include it)"
    return None


def entry(job: Job, reviews: list[Review], region: str) -> dict[str, Any] | str:
    """The job's manifest entry, or why it cannot be one."""
    values = {**machine_values(job), **corrected_values(reviews)}
    reason = _left_out(job, values)
    if reason is not None:
        return reason
    extension = job.input.key.rsplit(".", 1)[-1]
    triage = job.results.triage
    sound = job.results.analysis.audio if job.results.analysis else None
    latest = reviews[-1]
    return {
        "id": job.id,
        "text": values["transcript"],
        "voice": f"reviewed by {latest.reviewer}",
        "delivery": f"{job.input.codec} {job.input.sample_rate} Hz .{extension}",
        "region": region,
        "noise_snr_db": sound.snr_db if sound else None,
        "expected": {
            "caller_name": values["caller_name"],
            "callback_number": values["callback_number"],
            "callback_partial": values["callback_number"] is None
            and bool(triage and triage.callback_number_partial),
            "intent": values["intent"],
            "urgency": values["urgency"],
        },
        "file": f"audio/{job.id}.{extension}",
        "job_id": job.id,
        "batch_index": job.batch_index,
        "source": job.source,
        "reviewed_at": latest.at.isoformat(),
    }


def collect(
    batches: BatchStore, jobs: JobStore, reviews: ReviewStore, batch_id: str, region: str
) -> EvaluationSet:
    """The batch's jobs marked done by a person, in item order, read a page at a time (the
    overlay says which are done, so only their records and reviews are read)."""
    chosen = EvaluationSet(batch_id)
    after = -1
    while rows := batches.page(batch_id, None, after, _PAGE):
        after = rows[-1][0]
        found = [job for job in jobs.get_many([job_id for _, job_id in rows]) if job]
        if not found:
            continue
        tenant = found[0].tenant
        done = set(reviews.done_among(tenant, [job.id for job in found]))
        picked = [job for job in found if job.id in done]
        their_reviews = reviews.for_jobs(tenant, [job.id for job in picked])
        for job in picked:
            made = entry(job, their_reviews[job.id], region)
            if isinstance(made, str):
                chosen.excluded.append({"job_id": job.id, "reason": made})
            else:
                chosen.entries.append((made, job.input.key))
    return chosen


class _Sink(io.RawIOBase):
    """Where the zip writer writes: kept until the response takes it (not seekable, so
    zipfile writes each member's sizes after its data)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._chunks.append(chunk)
        return len(chunk)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def zipped(chosen: EvaluationSet, storage: ObjectStorage) -> Iterator[bytes]:
    """The set as a zip, a recording at a time; a recording gone from storage meanwhile
    is left out and listed in ``export.json``."""
    sink = _Sink()
    written: list[dict[str, Any]] = []
    excluded = list(chosen.excluded)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for made, key in chosen.entries:
            try:
                data = storage.get(key)
            except StorageKeyNotFound:
                excluded.append({"job_id": made["job_id"], "reason": "recording missing"})
                continue
            # Recordings are compressed already: stored as they are.
            archive.writestr(made["file"], data)
            written.append(made)
            yield sink.drain()
        manifest = json.dumps(written, indent=2, ensure_ascii=False)
        about = {"batch_id": chosen.batch_id, "voicemails": len(written), "excluded": excluded}
        deflated = zipfile.ZIP_DEFLATED
        archive.writestr(MANIFEST, manifest, compress_type=deflated)
        archive.writestr(ABOUT, json.dumps(about, indent=2), compress_type=deflated)
    yield sink.drain()


def zip_response(chosen: EvaluationSet, storage: ObjectStorage, batch_id: str) -> StreamingResponse:
    """The set as a zip download, streamed as it is written."""
    return StreamingResponse(
        zipped(chosen, storage),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{batch_id}-evaluation-set.zip"'},
    )
