"""Deleting a job's objects: when its ``delete_after_seconds`` passes, or on request.

The record stays (status, timings, input metadata, the batch's counts) and says when its
objects went; what the recording said goes with them, from storage, from the record (and
so from the inbox row) and from the people's corrections of it.
"""

from __future__ import annotations

from shared.jobstore import JobStore
from shared.models import Job, JobResults, utcnow
from shared.reviews import ReviewStore
from shared.storage import ObjectStorage


def purge(jobs: JobStore, storage: ObjectStorage, job_id: str) -> Job:
    """Delete every object of the job and its results' content; safe to repeat."""
    job = jobs.get(job_id)
    for key in storage.list(job.object_key("")):
        storage.delete(key)
    # Before the record changes: once it says deleted, the job leaves the retention index
    # and a crash would get no second try.
    reviews = ReviewStore(jobs.redis)
    reviews.forget_content(job.tenant, job.id)

    def forget(j: Job) -> bool:
        if j.objects_deleted_at is not None:
            return False
        j.objects_deleted_at = utcnow()
        j.results = JobResults(
            needs_review=j.results.needs_review, review_reasons=j.results.review_reasons
        )
        return True

    purged = jobs.update(job_id, forget)
    # And after: a review may have come in meanwhile (none can now, shared.reviews refuses
    # to correct what a deleted recording said).
    reviews.forget_content(job.tenant, job.id)
    return purged
