"""Turning an upload into a stored, queued job, or into a clear refusal.

Validation runs before anything is written; once it passes, the input object is stored, then
the job record and its first stage's message are written in one transaction; if that fails the
input is deleted again, so a refused or failed submission leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from opentelemetry import trace
from starlette.concurrency import run_in_threadpool

from api import idempotency
from api.deps import Services
from api.errors import ApiError
from shared.inputs import validated_input
from shared.logging import bind
from shared.models import InputMeta, Job, JobOptions
from shared.pipeline import create_and_queue
from shared.text_input import TEXT_EXTENSION, text_stages, validated_text

log = logging.getLogger("voicepipe.api")

# An upload's blocking work runs on one thread per API process: the probe (CPU work in PyAV
# that hands the GIL back and forth with every read) and, where storage is a local disk, the
# sub-millisecond writes after it. Sixteen uploads on the shared thread pool convoy on the GIL
# so badly that a 7 ms probe took ~180 ms, and every extra thread hop per request cost more
# CPU than the write it carried (`make bench ONLY=intake`). Scale intake with API processes
# (api.processes), not threads. Writes to a network store still go to the shared pool, where
# their waits overlap instead of queueing behind each other.
_INTAKE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake")


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
        earlier = await _replay(services, tenant, idempotency_key, digest)
        if earlier is not None:
            return earlier, True
    upload = _Upload(services, tenant, data, filename, options, idempotency_key, digest)
    loop = asyncio.get_running_loop()
    # The request's context (its trace span and log fields) goes with the work to the
    # intake thread, as run_in_threadpool takes it to the pool: the job's first message
    # carries the span as its parent.
    context = contextvars.copy_context()
    if services.storage.writes_are_local:
        return await loop.run_in_executor(_INTAKE, context.run, upload.accept, None)
    meta = await loop.run_in_executor(_INTAKE, context.run, upload.probe)
    return await run_in_threadpool(upload.accept, meta)


async def submit_text(
    services: Services,
    tenant: str,
    text: str,
    options: JobOptions,
    idempotency_key: str | None = None,
) -> tuple[Job, bool]:
    """As ``submit``, for typed input: a job that starts at the reply stage."""
    meta, data = validated_text(text, services.settings.api.max_text_chars)
    options = options.model_copy(update={"stages": text_stages(options.stages)})
    if idempotency_key:
        earlier = await _replay(services, tenant, idempotency_key, meta.sha256)
        if earlier is not None:
            return earlier, True
    upload = _Upload(services, tenant, data, None, options, idempotency_key, meta.sha256)
    # No probe to run: a few small writes, on the shared pool like any blocking call.
    return await run_in_threadpool(upload.accept, (meta, TEXT_EXTENSION))


async def _replay(services: Services, tenant: str, key: str, digest: str) -> Job | None:
    return await run_in_threadpool(idempotency.replay, services.jobs, tenant, key, digest)


@dataclass(frozen=True)
class _Upload:
    services: Services
    tenant: str
    data: bytes
    filename: str | None
    options: JobOptions
    idempotency_key: str | None
    # Taken before probing only when a key needs it; otherwise on the intake thread, since
    # hashing half a megabyte on the event loop would stall every other request.
    digest: str | None

    def probe(self) -> tuple[InputMeta, str]:
        return validated_input(self.data, self.filename, self.services.settings.api, self.digest)

    def accept(self, probed: tuple[InputMeta, str] | None) -> tuple[Job, bool]:
        meta, extension = probed or self.probe()
        job = Job(tenant=self.tenant, options=self.options, input=meta)
        job.input.key = job.object_key(f"input.{extension}")
        bind(job_id=job.id)
        trace.get_current_span().set_attribute("voicepipe.job_id", job.id)
        jobs, key = self.services.jobs, self.idempotency_key
        if key:
            earlier = idempotency.claim(jobs, self.tenant, key, job.id, meta.sha256)
            if earlier is not None:
                return earlier, True
        try:
            self._store_record_queue(job)
        except BaseException:
            if key:
                idempotency.release(jobs, self.tenant, key)
            raise
        log.info("job %s queued (%s, %.1f s)", job.id, meta.container, meta.duration_s)
        return job, False

    def _store_record_queue(self, job: Job) -> None:
        """A failed step undoes the earlier one: nothing half-made is left behind."""
        services = self.services
        try:
            services.storage.put(job.input.key, self.data, job.input.media_type)
        except Exception as exc:
            log.exception("storing input of %s failed", job.id)
            raise ApiError(
                503,
                "storage_unavailable",
                "Object storage is not reachable; nothing was queued. Try again.",
            ) from exc
        try:
            create_and_queue(services.jobs, services.celery, job)
        except Exception as exc:
            log.exception("recording and queueing %s failed", job.id)
            services.storage.delete(job.input.key)
            raise ApiError(
                503,
                "job_store_unavailable",
                "The job store and queue are not reachable; nothing was queued. Try again.",
            ) from exc
