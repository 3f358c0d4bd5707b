"""A thread's earlier jobs, read newest first in pages (JobStore.thread_before).

A thread's list holds the ids of its single jobs (``job_…``) and, once each, of its batches
(``bat_…``, pushed when the batch is made: shared.batchstore), never a batch's jobs: listing
each of those made every job of a 10,000-job batch read the list and its batch's earlier
records, ~50 million reads. A batch entry is expanded into its jobs only when read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice

from shared.models import Job
from shared.redis_keys import key

# The records of one batch entry read at most, newest item first, for one job's history.
# Without it, a batch whose jobs ``where`` leaves out (still running, failed) was read whole
# by every job after it: a 10,000-job batch after another, 100 million reads.
BATCH_READS = 500

BatchPage = Callable[[str, int, int], list[str]]


def thread_key(tenant: str, thread_id: str) -> str:
    return key("thread", tenant, thread_id)


def earlier_in_thread(
    ids: list[str],
    job: Job,
    limit: int,
    where: Callable[[Job], bool] | None,
    read: Callable[[list[str]], list[Job | None]],
    batch_page: BatchPage,
) -> list[Job]:
    """Up to ``limit`` jobs of the thread listed as ``ids`` (oldest first) made before
    ``job`` that ``where`` keeps, oldest first. ``read`` reads a page of ids in one round
    trip, ``batch_page(batch_id, start, stop)`` the ids of a batch's jobs newest first (by
    item index); pages double (``limit``, twice that, ...), so a thread whose latest jobs
    ``where`` leaves out (many failed voicemails) costs a few round trips, not one a job.

    A job's place is its own entry, a batch job's its batch's: what is listed before it,
    never its own batch's jobs (they run side by side). Worst case, records read: the job
    entries before it plus BATCH_READS for each batch entry before it, whatever the batches'
    sizes (a job after a 10,000-job batch none of whose jobs ``where`` keeps: 500 records in
    7 round trips, and as many reads of the batch's index); round trips grow with the log
    of that. A batch made before batches were listed is not on the list: its jobs are read
    against the whole list, keeping what was made before them."""
    position = job.id if job.id in ids else job.batch_id if job.batch_id in ids else None
    listed = position is not None
    earlier = ids[: ids.index(position)] if position is not None else ids
    found_ids = _newest_first(earlier[::-1], max(limit, 1), batch_page)
    jobs: list[Job] = []
    page = max(limit, 1)
    while len(jobs) < limit:
        chunk = list(islice(found_ids, page))
        if not chunk:
            break
        for (from_batch, _), found in zip(chunk, read([i for _, i in chunk]), strict=True):
            if found is None or found.tenant != job.tenant:
                continue  # deleted meanwhile (a batch's job, or its batch, too)
            # A batch's job is made when its item is fetched, perhaps after this job: what
            # came before is what was made before (so for a job not listed, everything).
            before = (listed and not from_batch) or found.created_at < job.created_at
            if before and (where is None or where(found)):
                jobs.append(found)
                if len(jobs) == limit:
                    break
        page *= 2
    return jobs[::-1]


def _newest_first(
    entries: list[str], first: int, batch_page: BatchPage
) -> Iterator[tuple[bool, str]]:
    """Each entry's job id, newest first, and whether a batch's; a batch entry as its jobs,
    read in doubling pages of at most BATCH_READS in all (one gone gives none)."""
    for entry in entries:
        if not entry.startswith("bat_"):
            yield False, entry
            continue
        start, page = 0, first
        while start < BATCH_READS:
            stop = min(start + page, BATCH_READS)
            ids = batch_page(entry, start, stop)
            yield from ((True, i) for i in ids)
            if len(ids) < stop - start:
                break
            start, page = stop, page * 2
