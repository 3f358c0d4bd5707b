"""The ``ingest`` queue: expanding batches into jobs, and acting on whole batches.

A batch is expanded by workers, never inside the API request: ``plan`` lists an S3 prefix
(page by page, resumable) and sends one ``chunk`` task per slice of items; chunks run in
parallel on the pool, and the last one to finish marks the batch expanded. Every step can
run again: a chunk skips items that already became jobs or rejections, and ``plan`` sends
only chunks not yet done. The sweeper calls ``plan`` again for a batch whose expansion has
not moved for a while (a worker killed with its messages unacknowledged).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

from celery import Celery, Task, shared_task

from shared.batches import Batch, BatchItem, ItemRejection, batch_job_id
from shared.batchstore import RUNNING
from shared.errors import BatchCanceled, JobNotFound
from shared.exception_text import reference
from shared.inputs import shown_source
from shared.job_transitions import Decision, cancel, resume
from shared.jobstore import Then
from shared.logging import log_context
from shared.models import ErrorInfo, Job
from shared.pipeline import resumed_message
from shared.queues import INGEST, INGEST_TASKS
from shared.storage import ObjectStorage
from shared.task_failures import logged_as
from workers.batch_items import import_key, import_location, ingest_item
from workers.context import WorkerContext, get_context
from workers.import_refusals import import_refusal

log = logging.getLogger("voicepipe.ingest")

_LIST_PAGE = 1000
_ITEM_TRIES = 3


def _give_up(
    ctx: WorkerContext, app: Celery, batch: Batch, index: int, item: BatchItem, message: str
) -> str:
    source = shown_source(item.source, batch.options.redact, ctx.settings.redaction)
    rejection = ItemRejection(
        index=index, source=source, code="internal", message=message, metadata=item.metadata
    )
    job_key = ctx.jobs.record_key(batch_job_id(batch.id, index))
    if ctx.batches.reject(batch.id, rejection, job_key):
        return "rejected"
    # The item is its job already (what failed came after, e.g. deleting the staged part
    # while the store was down): it stays a job, and the part is left to the discard task,
    # which waits the outage out.
    if item.upload and ctx.jobs.exists(batch_job_id(batch.id, index)):
        _send_discard(app, [item.upload])
    return "done"


def _send_discard(app: Celery, keys: list[str]) -> None:
    app.send_task(INGEST_TASKS["discard"], args=[keys], queue=INGEST)


def about_batch(task: Callable[..., None]) -> Callable[..., None]:
    """Every log line of the task names its batch (shared.logging)."""

    @functools.wraps(task)
    def run(self: Task, batch_id: str, *args: Any) -> None:
        with log_context(batch_id=batch_id):
            task(self, batch_id, *args)

    return run


def _chunks(total: int, size: int) -> int:
    return math.ceil(total / size)


@shared_task(name=INGEST_TASKS["plan"], bind=True)  # type: ignore[untyped-decorator]
@about_batch
def plan(self: Task, batch_id: str) -> None:
    ctx = get_context()
    batches = ctx.batches
    state = batches.get(batch_id)
    if state.expanded:
        return
    if state.counters.get("listed") != "1":
        _list_prefix(ctx, batch_id)
        state = batches.get(batch_id)
    size = ctx.settings.batches.expand_chunk
    total = state.items or 0
    if total == 0:
        batches.chunk_done(batch_id, 0, 0)  # nothing to expand: the batch completes empty
        return
    done = batches.chunks_done(batch_id)
    for start in range(0, total, size):
        if start not in done:
            self.app.send_task(INGEST_TASKS["chunk"], args=[batch_id, start], queue=INGEST)
    batches.heartbeat(batch_id)
    log.info("batch %s: %d items in %d chunks", batch_id, total, _chunks(total, size))


def _list_prefix(ctx: WorkerContext, batch_id: str) -> None:
    """Every object under the batch's prefix becomes an item, in key order."""
    batches = ctx.batches
    state = batches.get(batch_id)
    batch = state.batch
    assert batch.prefix is not None
    storage = import_location(ctx.settings)
    full_prefix = import_key(ctx.settings, batch.tenant, batch.prefix)
    strip = len(full_prefix) - len(batch.prefix)
    after = state.counters.get("listed_after", "")
    limit = ctx.settings.batches.max_items
    listed = batches.listed(batch_id)
    unlistable = False
    while True:
        try:
            keys = storage.list_page(full_prefix, after, _LIST_PAGE)
        except ValueError as exc:
            # A prefix no key can start with (the API refuses these now; a batch recorded
            # before it did): it lists nothing, so the batch completes empty rather than
            # staying "expanding" through every re-plan of the sweeper.
            log.warning("batch %s: %s; nothing listed", batch_id, exc)
            keys, unlistable = [], True
        except Exception as exc:
            refused = import_refusal(ctx.settings, exc, f"prefix {batch.prefix!r}")
            if refused is None:
                raise  # the store is down: the sweeper plans the batch again
            # Refused for good (no such bucket, credentials): one more item, the prefix,
            # says so (after the keys listed before, if any), and the listing ends, where
            # the batch stayed "expanding" through every re-plan.
            log.warning("batch %s: listing refused: %s", batch_id, refused.message)
            info = ErrorInfo(code=refused.code, message=refused.message)
            refusal = BatchItem(key=batch.prefix, refused=info)
            batches.add_listed(batch_id, [refusal], after, after, True)
            return
        # A folder marker ("mail/sub/", made by a console's "create folder") is no
        # recording: skipped, but the page is still judged and resumed by what S3 gave, so
        # a full page holding one no longer ends the listing at its first 1,000 keys.
        room = max(0, limit - listed)
        objects = [k for k in keys if not k.endswith("/")]
        kept = objects[:room]
        cursor = kept[-1] if len(objects) > room else (keys[-1] if keys else after)
        full = len(keys) == _LIST_PAGE
        left_out = len(objects) > room or (
            full and len(kept) == room and _more(storage, full_prefix, cursor)
        )
        items = [BatchItem(key=k[strip:]) for k in kept]
        if left_out:
            items.append(_too_many(batch.prefix, limit, kept[-1][strip:] if kept else None))
        finished = not full or left_out or len(kept) == room
        if finished and not listed and not items and not unlistable:
            items.append(_nothing_under(batch.prefix))
        batches.add_listed(batch_id, items, after, cursor, finished)
        batches.heartbeat(batch_id)
        listed += len(items)
        if finished:
            return
        after = cursor


def _more(storage: ObjectStorage, prefix: str, after: str) -> bool:
    """Whether an object (not a folder marker) sorts after ``after`` under ``prefix``."""
    while page := storage.list_page(prefix, after, _LIST_PAGE):
        if any(not key.endswith("/") for key in page):
            return True
        after = page[-1]
    return False


def _nothing_under(prefix: str) -> BatchItem:
    # Said as the batch's one item: an empty batch reading "completed" told a mistyped
    # prefix from a folder not yet synced no better than a finished one.
    message = (
        f"Nothing is stored under the prefix {prefix!r} in the import location: check its "
        "spelling (it is the start of the recordings' keys, e.g. 'mailbox/' for "
        "'mailbox/vm-0001.wav') and that they were copied there, then submit it again."
    )
    return BatchItem(key=prefix, refused=ErrorInfo(code="object_not_found", message=message))


def _too_many(prefix: str, limit: int, last: str | None) -> BatchItem:
    # Said on the batch, as its last item, rather than the rest being silently left out.
    where = f"after {last!r} " if last else ""
    message = (
        f"The prefix holds more objects than a batch takes (VOICEPIPE_BATCHES__MAX_ITEMS, "
        f"{limit}); those {where}were not listed: submit them as another batch."
    )
    return BatchItem(key=prefix, refused=ErrorInfo(code="too_many_items", message=message))


@shared_task(name=INGEST_TASKS["chunk"], bind=True)  # type: ignore[untyped-decorator]
@about_batch
def chunk(self: Task, batch_id: str, start: int) -> None:
    ctx = get_context()
    batches = ctx.batches
    state = batches.get(batch_id)
    size = ctx.settings.batches.expand_chunk
    total = state.items or 0
    outcomes: dict[str, int] = {}
    for offset, item in enumerate(batches.items(batch_id, start, start + size)):
        index = start + offset
        try:
            what = ingest_item(ctx, self.app, state.batch, index, item)
        except Exception as exc:
            # Storage or job store trouble, or a bug: try the chunk again a few times
            # (finished items are skipped), then record the item as failed and go on.
            tries = batches.item_failure(batch_id, index)
            ref = reference()
            log.exception(
                "batch %s item %d failed (try %d, reference %s)", batch_id, index, tries, ref
            )
            if tries < _ITEM_TRIES:
                logged_as(exc, ref)  # QuietTask logs the retry without this traceback again
                raise self.retry(countdown=2.0**tries, max_retries=None) from exc
            message = f"The item could not be processed: {type(exc).__name__}"
            what = _give_up(ctx, self.app, state.batch, index, item, message)
        outcomes[what] = outcomes.get(what, 0) + 1
        batches.heartbeat(batch_id)
    last = batches.chunk_done(batch_id, start, _chunks(total, size))
    log.info("batch %s chunk %d: %s%s", batch_id, start, outcomes, " (last)" if last else "")


def _jobs_in(ctx: WorkerContext, batch_id: str, statuses: tuple[str, ...]) -> list[str]:
    ids: list[str] = []
    for status in statuses:
        after = -1
        while rows := ctx.batches.page(batch_id, status, after, 500):
            ids.extend(job_id for _, job_id in rows)
            after = rows[-1][0]
    return ids


def _update_kept(
    ctx: WorkerContext, job_id: str, change: Callable[[Job], bool | None], then: Then | None = None
) -> Job | None:
    """The job after ``change``; None for one deleted (DELETE /v1/jobs) since the batch
    listed it: the batch's status sets still name it, and one such job must not stop the
    rest of the batch being canceled or retried."""
    try:
        return ctx.jobs.update(job_id, change, then)
    except JobNotFound:
        log.info("job %s was deleted; skipped", job_id)
        return None


@shared_task(name=INGEST_TASKS["cancel"], bind=True)  # type: ignore[untyped-decorator]
@about_batch
def cancel_batch(self: Task, batch_id: str) -> None:
    """Cancel every unfinished job of the batch (items not yet expanded are refused by the
    chunks, which see the batch canceled)."""
    cancel_unfinished(get_context(), batch_id)


def cancel_unfinished(ctx: WorkerContext, batch_id: str) -> None:
    reason = "The job's batch was canceled by request."
    for job_id in _jobs_in(ctx, batch_id, RUNNING):
        _update_kept(ctx, job_id, lambda job: cancel(job, reason))


def resume_failed(ctx: WorkerContext, app: Celery, batch_id: str) -> int:
    """Queue the batch's failed jobs again, each from the stage that failed; how many. Once
    the batch is canceled, no job is resumed (the job store refuses it, on the batch as it
    is at each job): those resumed before are the cancel's to end."""
    resumed = 0
    for job_id in _jobs_in(ctx, batch_id, ("failed",)):
        again = Decision(resume)
        try:
            # Queued again with its stage's message in one write (see api.routes.control).
            job = _update_kept(ctx, job_id, again, resumed_message(app, again))
        except BatchCanceled:
            log.info("batch %s was canceled; its retry stops", batch_id)
            break
        if job is not None and again.result is not None:
            resumed += 1
    return resumed


@shared_task(name=INGEST_TASKS["retry"], bind=True)  # type: ignore[untyped-decorator]
@about_batch
def retry_batch(self: Task, batch_id: str, token: str | None = None) -> None:
    """Run the batch's failed jobs again, each from the stage that failed. ``token`` names
    the retry the API accepted (BatchStore.open_retry; none in a message sent before it
    did): through, however this ends, so the batch can end."""
    ctx = get_context()
    try:
        resumed = resume_failed(ctx, self.app, batch_id)
    finally:
        if token is not None:
            ctx.batches.retry_done(batch_id, token)
    log.info("batch %s: %d failed jobs queued again", batch_id, resumed)


# A store that is down answers the workers' deletes after minutes of boto3's patience; then
# the task waits this long and tries the keys still left again, until the store is back.
_DISCARD_AGAIN_S = 300


@shared_task(name=INGEST_TASKS["discard"], bind=True)  # type: ignore[untyped-decorator]
def discard(self: Task, keys: list[str]) -> None:
    """Delete objects the API staged for a submission it refused but could not delete then,
    its store being down (api/staged.py): recordings no job or batch names, which retention
    would never reach."""
    left = discard_objects(get_context(), keys)
    if left:
        log.warning("%d staged objects not deleted yet; trying again later", len(left))
        raise self.retry(args=[left], countdown=_DISCARD_AGAIN_S)


def discard_objects(ctx: WorkerContext, keys: list[str]) -> list[str]:
    """Delete ``keys``; the ones left from the first the store failed to delete."""
    for done, key in enumerate(keys):
        try:
            ctx.storage.delete(key)
        except Exception:
            log.warning("deleting a staged object failed", exc_info=True)
            return keys[done:]
    return []
