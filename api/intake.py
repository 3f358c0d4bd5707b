"""Turning an upload into a stored, queued job, or into a clear refusal.

Validation runs before anything is written; once it passes, the input object is stored, then
the job record and its first stage's message are written in one script call; if that fails
the input is deleted again, so a refused or failed submission leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from opentelemetry import trace
from starlette.concurrency import run_in_threadpool

from api import idempotency, staged
from api.deps import Services
from api.errors import ApiError, job_store_unavailable, retry_after
from shared.audio.sniff import SNIFF_BYTES, sniff_container
from shared.errors import StorageUnavailable
from shared.inputs import engine_finishes, form_filename, kept_filename, validated_input
from shared.logging import bind
from shared.models import InputMeta, Job, JobOptions
from shared.text_input import TEXT_EXTENSION, text_stages, validated_text

log = logging.getLogger("voicepipe.api")
_T = TypeVar("_T")

# Small uploads to a local disk are probed, hashed and written on the event loop itself, then
# recorded with an awaited script call (api.recording): about 1 ms of CPU with no thread hop.
# The hop cost 0.4 ms an upload in GIL hand-offs (the app driven in-process), and without it
# `make bench ONLY=intake` serves 17 % more uploads a second. Past this size the
# probe (a long file without a frame count is read packet by packet) and the hash could hold
# the loop for several milliseconds, so larger uploads go to one intake thread per API
# process: on the shared thread pool, sixteen probes convoyed on the GIL so badly that a
# 7 ms probe took ~180 ms. Scale intake with API processes (api.processes), not threads.
# Writes to a network store go to the shared pool, where their waits overlap.
INLINE_MAX_BYTES = 1 << 20
# Ogg and WebM are measured by reading every packet, and Opus packets may be 2.5 ms of sound
# in ~4 bytes: a megabyte of them held the loop 0.8 s (240,000 packets). AMR files joined end
# to end are found by walking every frame in Python, and a "no data" frame is one byte: a
# megabyte of them held it 0.3 s. FLAC is counted frame by frame too, and a frame of 16
# samples is ~15 bytes (its STREAMINFO may say otherwise): 60,000 in a megabyte, 0.3 s. Raw
# AAC records no length: 590 s of silence at 96 kHz is 55,000 ADTS frames in 610 kB, 0.3 s.
# Up to 64 KB (16,000 packets, ~50 ms) they stay on the loop.
INLINE_MAX_PACKETED_BYTES = 1 << 16
_PACKETED = ("ogg", "webm", "amr", "flac", "aac")
_INTAKE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake")


async def submit(
    services: Services,
    tenant: str,
    data: bytes,
    filename: str | None,
    options: JobOptions,
    idempotency_key: str | None = None,
    retry: idempotency.SdkRetry | None = None,
) -> tuple[Job, bool]:
    """Validate, store, record and queue one upload; returns the job and whether it was an
    earlier one given back for a repeated Idempotency-Key, or for an OpenAI SDK's retry of a
    call without one (``retry``, see api.idempotency.SdkRetry)."""
    api = services.settings.api
    if len(data) > api.max_upload_bytes:
        raise ApiError(
            413,
            "too_large",
            f"The upload is larger than the {api.max_upload_bytes / 1048576:g} MB "
            "limit. Send a shorter recording or compress it.",
        )
    filename = kept_filename(form_filename(filename), options.redact, services.settings.redaction)
    digest = None
    if idempotency_key:
        digest = hashlib.sha256(data).hexdigest()
        asked = idempotency.request_digest(digest, options)
        earlier = await _replay(services, tenant, idempotency_key, asked)
        if earlier is not None:
            return earlier, True
    elif retry is not None:
        # Every OpenAI-compatible upload is hashed now: off the event loop when it is large.
        digest = await _sha256(data)
        asked = idempotency.request_digest(digest, options)
        earlier = await run_in_threadpool(idempotency.joined, services.jobs, tenant, retry, asked)
        if earlier is not None:
            return earlier, True
    upload = _Upload(services, tenant, data, filename, options, idempotency_key, digest, retry)
    if upload.inline:
        return await upload.accept(upload.probe())
    return await upload.accept(await _on_intake_thread(upload.probe))


async def submit_text(
    services: Services,
    tenant: str,
    text: str,
    options: JobOptions,
    idempotency_key: str | None = None,
    key_content: str | None = None,
    retry: idempotency.SdkRetry | None = None,
) -> tuple[Job, bool]:
    """As ``submit``, for typed input: a job that starts at the reply stage. The key's
    request (or the SDK retry's) is told by the text, or by ``key_content`` where the request
    was more than this text (one sentence of a streamed speech call)."""
    meta, data = validated_text(text, services.settings.api.max_text_chars)
    # Hashed with the text (no transcription stage will read it to do so).
    digest = key_content or meta.sha256
    assert digest is not None
    options = options.model_copy(update={"stages": text_stages(options.stages)})
    if idempotency_key:
        asked = idempotency.request_digest(digest, options)
        earlier = await _replay(services, tenant, idempotency_key, asked)
        if earlier is not None:
            return earlier, True
    elif retry is not None:
        asked = idempotency.request_digest(digest, options)
        earlier = await run_in_threadpool(idempotency.joined, services.jobs, tenant, retry, asked)
        if earlier is not None:
            return earlier, True
    upload = _Upload(services, tenant, data, None, options, idempotency_key, digest, retry)
    return await upload.accept((meta, TEXT_EXTENSION))


async def _sha256(data: bytes) -> str:
    if len(data) <= INLINE_MAX_BYTES:
        return hashlib.sha256(data).hexdigest()
    return await run_in_threadpool(lambda: hashlib.sha256(data).hexdigest())


async def _replay(services: Services, tenant: str, key: str, digest: str) -> Job | None:
    return await run_in_threadpool(idempotency.replay, services.jobs, tenant, key, digest)


async def _on_intake_thread(work: Callable[[], _T]) -> _T:
    # The request's context (its trace span and log fields) goes with the work, as
    # run_in_threadpool takes it to the pool.
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_INTAKE, context.run, work)


@dataclass(frozen=True)
class _Upload:
    services: Services
    tenant: str
    data: bytes
    filename: str | None
    options: JobOptions
    idempotency_key: str | None
    # Taken before probing only when a key needs it; otherwise by the probe.
    digest: str | None
    retry: idempotency.SdkRetry | None

    @property
    def inline(self) -> bool:
        """Whether its blocking work runs on the event loop (see INLINE_MAX_BYTES)."""
        if not self.services.storage.writes_are_local or len(self.data) > INLINE_MAX_BYTES:
            return False
        packeted = sniff_container(self.data[:SNIFF_BYTES]) in _PACKETED
        return not packeted or len(self.data) <= INLINE_MAX_PACKETED_BYTES

    def probe(self) -> tuple[InputMeta, str]:
        # Hashed here only when a key needs it (then already done): the stt stage hashes the
        # recording as it reads it. A 480 KB upload's SHA-256 took 0.26 ms of its ~1.9 ms
        # of CPU, and without it `make bench ONLY=intake` went from 0.47 to 0.54-0.55 of
        # the bare endpoint (three runs); a stage worker, scaled on its own and spending
        # seconds on the recording, does not notice it.
        settings = self.services.settings
        meta, extension = validated_input(
            self.data,
            self.filename,
            settings.api,
            self.digest,
            min_speech_s=settings.workers.min_speech_s,
            hash_now=False,
        )
        # A chosen engine start-up's check of api.max_duration_s did not cover.
        engine_finishes(settings, self.options.stt_provider, meta)
        return meta, extension

    async def accept(self, probed: tuple[InputMeta, str]) -> tuple[Job, bool]:
        meta, extension = probed
        job = Job(tenant=self.tenant, options=self.options, input=meta)
        job.input.key = job.object_key(f"input.{extension}")
        bind(job_id=job.id)
        trace.get_current_span().set_attribute("voicepipe.job_id", job.id)
        # Once begun, claiming, storing and recording run to the end even if the request is
        # cancelled (a server shutting down): a job is then made whole or not at all, as when
        # this ran on a thread that nothing could interrupt.
        return await asyncio.shield(self._claim_store_record(job, meta))

    async def _claim_store_record(self, job: Job, meta: InputMeta) -> tuple[Job, bool]:
        jobs, key = self.services.jobs, self.idempotency_key
        if key:
            assert self.digest is not None  # taken before probing when a key is sent
            asked = idempotency.request_digest(self.digest, self.options)
            earlier = await run_in_threadpool(
                idempotency.claim, jobs, self.tenant, key, job.id, asked
            )
            if earlier is not None:
                return earlier, True
        try:
            await self._store_record_queue(job)
        except BaseException:
            if key:
                await self._release(key)
            raise
        log.info("job %s queued (%s, %.1f s)", job.id, meta.container, meta.duration_s)
        if self.retry is not None:
            await self._note_for_retries(job)
        return job, False

    async def _note_for_retries(self, job: Job) -> None:
        assert self.retry is not None
        assert self.digest is not None  # taken before probing for an SDK's retries
        asked = idempotency.request_digest(self.digest, self.options)
        try:
            await run_in_threadpool(
                idempotency.note, self.services.jobs, self.tenant, self.retry, job.id, asked
            )
        except Exception:
            # The job is made and queued: answering it matters more than that a retry of
            # this call, should there be one, could join it.
            log.warning("noting job %s for the SDK's retries failed", job.id, exc_info=True)

    async def _release(self, key: str) -> None:
        # The broker that refused the job may refuse this too: the caller is still told why
        # its job was refused, not that the key could not be released.
        try:
            await run_in_threadpool(idempotency.release, self.services.jobs, self.tenant, key)
        except Exception:
            log.warning("releasing Idempotency-Key of a refused job failed", exc_info=True)

    async def _store_record_queue(self, job: Job) -> None:
        """A failed step undoes the earlier one: nothing half-made is left behind."""
        storage = self.services.storage
        try:
            await self._storage_call(storage.put, job.input.key, self.data, job.input.media_type)
        except Exception as exc:
            if isinstance(exc, StorageUnavailable) and exc.__cause__ is None:
                # Refused by the breaker without asking: the failures that opened it were
                # logged with their tracebacks.
                log.warning("storing input of %s refused: %s", job.id, exc.message)
            else:
                log.exception("storing input of %s failed", job.id)
            raise ApiError(
                503,
                "storage_unavailable",
                f"Object storage {_failure(exc)}; nothing was queued. Try again.",
                headers=retry_after(exc),
            ) from exc
        try:
            await self.services.recorder.create_and_queue(job)
        except Exception as exc:
            log.exception("recording and queueing %s failed", job.id)
            # The store may be failing too: then a worker deletes it later (api/staged.py),
            # and the answer still names the job store, the cause.
            await staged.discard(self.services, [job.input.key])
            raise job_store_unavailable(
                exc,
                "The job store and queue are not reachable; nothing was queued. Try again.",
                "Nothing was queued.",
            ) from exc

    async def _storage_call(self, call: Callable[..., None], *args: str | bytes) -> None:
        if self.inline:
            call(*args)
        elif self.services.storage.writes_are_local:
            await _on_intake_thread(lambda: call(*args))
        else:
            await run_in_threadpool(call, *args)


def _failure(exc: BaseException) -> str:
    """What the store did: a local directory that refused the write (a full disk, a
    read-only mount) says so; "not reachable" sent an operator to a network for a full disk."""
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError) and exc.strerror:
        return f"could not store the upload ({exc.strerror})"
    return "is not reachable"
