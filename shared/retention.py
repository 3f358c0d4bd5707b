"""Deleting a job's objects: when its ``delete_after_seconds`` passes, or on request.

The record stays (status, timings, input metadata, the batch's counts, what the job
consumed) and says when its objects went; what the recording said goes with them, from
storage, from the record (and so from the inbox row), from the people's corrections of it
and from the webhook events that carried those corrections (kept for the API for
``WEBHOOKS__KEEP_RECORDS_S``).
"""

from __future__ import annotations

from shared.jobstore import JobStore
from shared.metered_details import metered_results
from shared.models import Job, utcnow
from shared.reviews import PERSONAL_FIELDS, ReviewStore
from shared.storage import ObjectStorage
from shared.webhook_models import WebhookDelivery
from shared.webhook_store import WebhookStore


def forget_event_content(delivery: WebhookDelivery) -> bool:
    """Scrub an event of a purged job as its reviews are scrubbed: a ``job.reviewed``
    event's corrections of what the recording said keep their field but lose both values
    (intent and urgency stay), and a note, should an event carry one, goes. Whether it
    changed.

    An event still pending (its receiver down, retries due) is sent scrubbed too, under
    its same ``webhook-id``: the job asked for that content to be gone by now, and the
    event still tells its receiver which fields a person changed; the receiver reads the
    job for the rest, which now says its objects were deleted.
    """
    changed = delivery.data.pop("note", None) is not None
    for correction in delivery.data.get("corrections") or []:
        if not isinstance(correction, dict) or correction.get("field") not in PERSONAL_FIELDS:
            continue
        if correction.get("before") is not None or correction.get("after") is not None:
            correction["before"] = correction["after"] = None
            changed = True
    return changed


def purge(jobs: JobStore, storage: ObjectStorage, job_id: str) -> Job:
    """Delete every object of the job and its results' content; safe to repeat."""
    return purge_first(jobs, storage, job_id)[0]


def purge_first(jobs: JobStore, storage: ObjectStorage, job_id: str) -> tuple[Job, bool]:
    """``purge``, and whether this call marked the job deleted: False when another (a second
    sweeper, an operator's purge) did so first, so that a purge is counted once."""
    job = jobs.get(job_id)
    for key in storage.list(job.object_key("")):
        storage.delete(key)
    # Before the record changes: once it says deleted, the job leaves the retention index
    # and a crash would get no second try.
    reviews = ReviewStore(jobs.redis)
    events = WebhookStore(jobs.redis)
    reviews.forget_content(job.tenant, job.id)
    events.rewrite_job(job.id, forget_event_content)

    marked = False

    def forget(j: Job) -> bool:
        nonlocal marked
        # Set on every try: a write lost to another writer is tried again on its record.
        marked = j.objects_deleted_at is None
        if not marked:
            return False
        j.objects_deleted_at = utcnow()
        # What the job consumed stays: its usage and cost read the same after as before.
        j.results = metered_results(j.results).model_copy(
            update={
                "needs_review": j.results.needs_review,
                "review_reasons": j.results.review_reasons,
            }
        )
        return True

    purged = jobs.update(job_id, forget)
    # And after: a review may have come in meanwhile (none can now, shared.reviews refuses
    # to correct what a deleted recording said).
    reviews.forget_content(job.tenant, job.id)
    events.rewrite_job(job.id, forget_event_content)
    return purged, marked
