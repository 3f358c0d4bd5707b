"""Turning an upload into a stored, queued job, or into a clear refusal.

Validation runs before anything is written; once it passes, the input object, the job
record and the queued first stage are created in that order, and each step undoes the earlier
ones if it fails, so a refused or failed submission leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor

from starlette.concurrency import run_in_threadpool

from api import idempotency
from api.deps import Services
from api.errors import ApiError
from shared.inputs import validated_input
from shared.models import Job, JobOptions
from shared.pipeline import enqueue

log = logging.getLogger("voicepipe.api")

# Uploads are probed one at a time per process, on a thread of their own. Probing is CPU
# work in PyAV that hands the GIL back and forth with every read; sixteen probes on the
# shared thread pool convoy on the GIL so badly that each takes ~180 ms instead of ~7, and
# intake halves (measured with `make bench ONLY=intake`). Scale intake with API processes
# (api.processes), not threads.
_PROBING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="probe")


async def submit(
    services: Services,
    tenant: str,
    data: bytes,
    filename: str | None,
    options: JobOptions,
    idempotency_key: str | None = None,
) -> tuple[Job, bool]:
    """Validate, store, record and queue one upload; returns the job and whether it was an
    earlier one given back for a repeated Idempotency-Key."""
    api = services.settings.api
    if len(data) > api.max_upload_bytes:
        raise ApiError(
            413,
            "too_large",
            f"The upload is larger than the {api.max_upload_bytes / 1048576:g} MB "
            "limit. Send a shorter recording or compress it.",
        )
    digest = None
    if idempotency_key:
        digest = hashlib.sha256(data).hexdigest()
        earlier = await run_in_threadpool(
            idempotency.replay, services.jobs, tenant, idempotency_key, digest
        )
        if earlier is not None:
            return earlier, True
    # The digest is taken on the probing thread unless a key needed it first: hashing half a
    # megabyte on the event loop would stall every other request for a third of a ms.
    meta, extension = await asyncio.get_running_loop().run_in_executor(
        _PROBING, validated_input, data, filename, api, digest
    )
    job = Job(tenant=tenant, options=options, input=meta)
    job.input.key = job.object_key(f"input.{extension}")
    if idempotency_key:
        earlier = await run_in_threadpool(
            idempotency.claim, services.jobs, tenant, idempotency_key, job.id, meta.sha256
        )
        if earlier is not None:
            return earlier, True
    try:
        await _store_record_queue(services, job, data, meta.media_type)
    except BaseException:
        if idempotency_key:
            await run_in_threadpool(idempotency.release, services.jobs, tenant, idempotency_key)
        raise
    log.info("job %s queued (%s, %.1f s)", job.id, meta.container, meta.duration_s)
    return job, False


async def _store_record_queue(services: Services, job: Job, data: bytes, media_type: str) -> None:
    # One trip to the thread pool for the three writes: each trip costs the event loop a
    # hand-over, and intake makes thousands of them per minute.
    await run_in_threadpool(_store_record_queue_sync, services, job, data, media_type)


def _store_record_queue_sync(services: Services, job: Job, data: bytes, media_type: str) -> None:
    """Each step undoes the earlier ones if it fails: nothing half-made is left behind."""
    try:
        services.storage.put(job.input.key, data, media_type)
    except Exception as exc:
        log.exception("storing input of %s failed", job.id)
        raise ApiError(
            503,
            "storage_unavailable",
            "Object storage is not reachable; nothing was queued. Try again.",
        ) from exc
    try:
        services.jobs.create(job)
    except Exception as exc:
        log.exception("recording %s failed", job.id)
        services.storage.delete(job.input.key)
        raise ApiError(
            503,
            "job_store_unavailable",
            "The job store is not reachable; nothing was queued. Try again.",
        ) from exc
    try:
        enqueue(services.celery, job)
    except Exception as exc:
        log.exception("queueing %s failed", job.id)
        _undo(services, job)
        raise ApiError(
            503, "broker_unavailable", "The queue is not reachable; nothing was queued. Try again."
        ) from exc


def _undo(services: Services, job: Job) -> None:
    services.storage.delete(job.input.key)
    services.jobs.delete(job)
