"""A thread's earlier jobs, read newest first in pages (JobStore.thread_before)."""

from __future__ import annotations

from collections.abc import Callable

from shared.models import Job


def earlier_in_thread(
    ids: list[str],
    job: Job,
    limit: int,
    where: Callable[[Job], bool] | None,
    read: Callable[[list[str]], list[Job | None]],
) -> list[Job]:
    """Up to ``limit`` jobs of the thread listed as ``ids`` (oldest first) made before
    ``job`` that ``where`` keeps, oldest first. ``read`` reads a page of ids in one round
    trip; pages double (``limit``, twice that, ...), so a thread whose latest jobs ``where``
    leaves out (many failed voicemails) costs a few round trips, not one a job."""
    listed = job.id in ids
    earlier = list(reversed(ids[: ids.index(job.id)] if listed else ids))
    jobs: list[Job] = []
    start, page = 0, max(limit, 1)
    while start < len(earlier) and len(jobs) < limit:
        for found in read(earlier[start : start + page]):
            if found is None or found.tenant != job.tenant:
                continue  # deleted meanwhile
            # A batch's job is not on the list (its batch made it): what came before it is
            # what was made before it, not the caller's later voicemails.
            before = listed or found.created_at < job.created_at
            if before and (where is None or where(found)):
                jobs.append(found)
                if len(jobs) == limit:
                    break
        start += page
        page *= 2
    return jobs[::-1]
