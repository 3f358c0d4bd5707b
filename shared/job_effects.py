"""What a change of a job record sets off besides itself.

A job of a batch moves the batch's counters; a job with a callback URL owes its client a
webhook event when it ends (and per stage when asked); a job that ended schedules the
deletion of its objects. All of it is worked out here from the job before and after the
change, and written by the job store's compare-and-set in the same round trip as the
record: an effect happens exactly when its transition is committed, once, whichever
process (stage worker, API, sweeper) made the transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.models import Job, JobStatus, Stage, StageStatus
from shared.webhook_models import WebhookDelivery, new_delivery_id


@dataclass(frozen=True)
class Snapshot:
    """The parts of a job whose change has effects."""

    status: JobStatus
    error_code: str | None
    stages: tuple[tuple[Stage, StageStatus], ...]

    @classmethod
    def of(cls, job: Job) -> Snapshot:
        return cls(
            status=job.status,
            error_code=job.error.code if job.error else None,
            stages=tuple((stage, rec.status) for stage, rec in job.stages.items()),
        )


def counter_fields(snapshot: Snapshot) -> set[str]:
    """The batch counters one job counts in: its status, and its failure code."""
    fields = {f"status:{snapshot.status.value}"}
    if snapshot.status == JobStatus.FAILED and snapshot.error_code:
        fields.add(f"failed:{snapshot.error_code}")
    return fields


def counter_deltas(before: Snapshot, after: Snapshot) -> list[tuple[str, int]]:
    old, new = counter_fields(before), counter_fields(after)
    return [(f, -1) for f in sorted(old - new)] + [(f, 1) for f in sorted(new - old)]


def job_links(job: Job) -> dict[str, str]:
    """Relative links of a job's resources (made absolute when an event is sent)."""
    base = f"/v1/jobs/{job.id}"
    links = {"job": base}
    if job.results.transcript is not None:
        links["transcript"] = f"{base}/transcript"
    if job.results.reply_audio_key:
        links["reply_audio"] = f"{base}/reply"
    if job.batch_id:
        links["batch"] = f"/v1/batches/{job.batch_id}"
    return links


def _event(job: Job, kind: str, **extra: Any) -> WebhookDelivery:
    assert job.options.callback_url is not None
    data: dict[str, Any] = {
        "job_id": job.id,
        "batch_id": job.batch_id,
        "status": job.status.value,
        "error": job.error.model_dump() if job.error else None,
        "links": job_links(job),
        **extra,
    }
    return WebhookDelivery(
        id=new_delivery_id(), tenant=job.tenant, url=job.options.callback_url, type=kind, data=data
    )


def job_event(job: Job, kind: str, **extra: Any) -> WebhookDelivery:
    """An event of ``kind`` about ``job`` for its callback URL, made outside a record change
    (a review: shared.reviews stores it with the review)."""
    return _event(job, kind, **extra)


def events(before: Snapshot, job: Job) -> list[WebhookDelivery]:
    """Webhook events the change from ``before`` to ``job`` owes the job's callback URL."""
    if not job.options.callback_url:
        return []
    owed: list[WebhookDelivery] = []
    if job.options.stage_events:
        earlier = dict(before.stages)
        for stage, rec in job.stages.items():
            done = rec.status in {StageStatus.SUCCEEDED, StageStatus.FAILED}
            if done and earlier.get(stage) != rec.status:
                owed.append(_event(job, f"job.stage.{rec.status.value}", stage=stage.value))
    if job.status.terminal and not before.status.terminal:
        owed.append(_event(job, f"job.{job.status.value}"))
    return owed


def retention_due(job: Job) -> float | None:
    """When the job's objects are to be deleted: set once it ends, if it asks for it."""
    ttl = job.options.delete_after_seconds
    if ttl is None or not job.status.terminal or job.finished_at is None:
        return None
    if job.objects_deleted_at is not None:
        return None
    return job.finished_at.timestamp() + ttl
