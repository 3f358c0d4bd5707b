"""One batch item to one job: fetch its audio, validate it like an upload, store, record, queue.

Runs on the ``ingest`` pool. An item is made into its job at most once: the job's id is
fixed by the batch and the item's index (``batch_job_id``), the job store creates it only
if it does not exist, and a rejection is recorded only once; so a chunk run again after a
worker died does nothing twice and counts nothing twice.
"""

from __future__ import annotations

import logging
import os

from celery import Celery

from shared.batches import Batch, BatchItem, ItemRejection, batch_job_id
from shared.errors import BatchItemClosed, MediaRejected, StorageKeyNotFound
from shared.fetch_address_policy import AddressPolicy, FetchRefused
from shared.inputs import (
    engine_finishes,
    kept_filename,
    shown_source,
    too_large,
    validated_input,
)
from shared.models import Job, JobStatus, StageStatus
from shared.pipeline import enqueue, stages_of
from shared.safe_fetch import fetch
from shared.settings import Settings
from shared.storage import ObjectStorage, import_storage
from shared.text_input import TEXT_EXTENSION, text_stages, validated_text
from workers.context import WorkerContext
from workers.import_refusals import ImportRefused, import_refusal

log = logging.getLogger("voicepipe.ingest")


_location: tuple[int, ObjectStorage] | None = None


def import_location(settings: Settings) -> ObjectStorage:
    """The import location's client, one per process (a prefork child makes its own)."""
    global _location
    if _location is None or _location[0] != os.getpid():
        _location = (os.getpid(), import_storage(settings))
    return _location[1]


def import_key(settings: Settings, tenant: str, key: str) -> str:
    """The object a client's key names: below its tenant's folder unless so configured."""
    return f"{tenant}/{key}" if settings.imports.tenant_prefix else key


def _obtain(ctx: WorkerContext, batch: Batch, item: BatchItem) -> tuple[bytes, str | None]:
    """The item's bytes and a file name to show; raises FetchRefused, StorageKeyNotFound,
    ImportRefused or MediaRejected(too_large)."""
    limit = ctx.settings.api.max_upload_bytes
    if item.upload:
        return ctx.storage.get(item.upload), item.filename
    if item.key:
        try:
            data = import_location(ctx.settings).get(
                import_key(ctx.settings, batch.tenant, item.key)
            )
        except ValueError as exc:  # an invalid key ("..", empty parts)
            raise StorageKeyNotFound(f"{exc}; use a plain object key") from None
        except Exception as exc:
            refused = import_refusal(ctx.settings, exc, f"key {item.key!r}")
            if refused is None:
                raise  # the store is down: the chunk tries the item again
            raise refused from exc
        if len(data) > limit:
            raise too_large(limit)
        return data, item.filename or item.key.rsplit("/", 1)[-1]
    assert item.url is not None
    fetch_cfg = ctx.settings.fetch
    fetched = fetch(
        item.url,
        AddressPolicy.from_settings(fetch_cfg),
        max_bytes=limit,
        timeout_s=fetch_cfg.timeout_s,
        max_redirects=fetch_cfg.max_redirects,
    )
    name = fetched.final_url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return fetched.data, item.filename or name or None


def _requeue_if_unsent(app: Celery, job: Job) -> None:
    # A worker that died between recording the job and queueing it leaves it queued with
    # nothing in the queue; queueing it again is harmless when the first message exists
    # (the stage drops a delivery that finds itself owned or done).
    first = stages_of(job)[0]
    if job.status == JobStatus.QUEUED and job.stages[first].status == StageStatus.PENDING:
        enqueue(app, job)


def ingest_item(ctx: WorkerContext, app: Celery, batch: Batch, index: int, item: BatchItem) -> str:
    """Make item ``index`` into its job; what became of it: created, rejected or done."""
    batches = ctx.batches
    job_id = batch_job_id(batch.id, index)
    if batches.is_rejected(batch.id, index):
        return "done"
    if ctx.jobs.exists(job_id):
        _requeue_if_unsent(app, ctx.jobs.get(job_id))
        _drop_upload(ctx, item)
        return "done"
    if ctx.jobs.was_deleted(job_id):
        # Made, then deleted (DELETE /v1/jobs, retention) before this chunk ran again: the
        # batch counts it canceled already. Made again it was counted twice, and with its
        # staged part gone it was rejected too (object_not_found): either way the batch
        # could complete with an item still running.
        _drop_upload(ctx, item)
        return "done"
    if batches.get(batch.id).canceled:
        return _reject(ctx, batch, index, item, "batch_canceled", "The batch was canceled.")
    if item.refused:
        return _reject(ctx, batch, index, item, item.refused.code, item.refused.message)
    options = batch.options
    try:
        if item.typed and item.upload:
            typed = ctx.storage.get(item.upload).decode("utf-8", errors="replace")
            meta, data = validated_text(typed, ctx.settings.api.max_text_chars)
            extension = TEXT_EXTENSION
            options = options.model_copy(update={"stages": text_stages(options.stages)})
        else:
            data, filename = _obtain(ctx, batch, item)
            filename = kept_filename(filename, options.redact, ctx.settings.redaction)
            meta, extension = validated_input(
                data, filename, ctx.settings.api, min_speech_s=ctx.settings.workers.min_speech_s
            )
            engine_finishes(ctx.settings, options.stt_provider, meta)
    except (FetchRefused, MediaRejected, StorageKeyNotFound, ImportRefused) as exc:
        code = "object_not_found" if isinstance(exc, StorageKeyNotFound) else exc.code
        return _reject(ctx, batch, index, item, code, exc.message)
    if options.delete_after_seconds is None and ctx.settings.retention.default_delete_after_s:
        default = ctx.settings.retention.default_delete_after_s
        options = options.model_copy(update={"delete_after_seconds": default})
    job = Job(
        id=job_id,
        tenant=batch.tenant,
        options=options,
        input=meta,
        batch_id=batch.id,
        batch_index=index,
        source=shown_source(item.source, batch.options.redact, ctx.settings.redaction),
        metadata=item.metadata,
    )
    job.input.key = job.object_key(f"input.{extension}")
    ctx.storage.put(job.input.key, data, meta.media_type)
    try:
        made = ctx.jobs.create_batch_job(job)
    except BatchItemClosed as exc:
        ctx.storage.delete(job.input.key)  # no job holds it
        if exc.code == "batch_canceled":
            return _reject(ctx, batch, index, item, exc.code, exc.message)
        _drop_upload(ctx, item)
        return "done"
    if made:
        enqueue(app, job)
    _drop_upload(ctx, item)
    return "created"


def _reject(
    ctx: WorkerContext, batch: Batch, index: int, item: BatchItem, code: str, message: str
) -> str:
    log.info("batch %s item %d rejected: %s", batch.id, index, code)
    source = shown_source(item.source, batch.options.redact, ctx.settings.redaction)
    rejection = ItemRejection(
        index=index, source=source, code=code, message=message, metadata=item.metadata
    )
    recorded = ctx.batches.reject(
        batch.id, rejection, ctx.jobs.record_key(batch_job_id(batch.id, index))
    )
    _drop_upload(ctx, item)
    return "rejected" if recorded else "done"


def _drop_upload(ctx: WorkerContext, item: BatchItem) -> None:
    # A staged part is only the way in: once its job holds a copy (or it was refused), it goes.
    if item.upload:
        ctx.storage.delete(item.upload)
