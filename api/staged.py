"""Objects the API stored for a submission it then refused: deleted now, or by a worker later.

A refused submission leaves nothing behind: its staged recordings are deleted before the
answer. But the store that refused a part mid-upload (down, or found down by the breaker,
api/storage_guard.py) refuses those deletes too, and the parts already stored would stay in
the bucket for good, named by no job or batch, out of retention's reach: people's voicemails
kept without a record. So what the store will not delete now is handed to the ingest workers
(``voicepipe.ingest.discard``), which wait the outage out. Only object keys travel in the
task (tenant, batch id and part number), never a file name or content.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from api.deps import Services
from shared.errors import StorageUnavailable
from shared.queues import INGEST, INGEST_TASKS

log = logging.getLogger("voicepipe.api")


def put(
    services: Services, key: str, data: bytes, content_type: str = "application/octet-stream"
) -> None:
    """Store one staged object. A local directory that cannot be written (a full disk, a
    read-only mount) refuses the batch as S3 does, 503 storage_unavailable; it was a 500."""
    try:
        services.storage.put(key, data, content_type)
    except OSError as exc:
        log.error("staging %s failed: %s", key, exc.strerror or type(exc).__name__)
        raise StorageUnavailable(
            f"Object storage could not store the upload ({exc.strerror or 'write failed'}); "
            "nothing was kept. Try again.",
            retry_after_s=5,
        ) from exc


async def discard(services: Services, keys: list[str]) -> None:
    """Delete ``keys``; whatever the store will not delete now goes to the ingest workers."""
    left: list[str] = []
    for done, key in enumerate(keys):
        try:
            await run_in_threadpool(services.storage.delete, key)
        except (StorageUnavailable, OSError):
            # The store failed one delete: the rest would fail alike, each after its wait.
            left = keys[done:]
            break
    if not left:
        return
    try:
        await run_in_threadpool(
            services.celery.send_task, INGEST_TASKS["discard"], args=[left], queue=INGEST
        )
    except Exception:
        log.error(
            "%d staged objects could not be deleted nor handed to the workers (storage and "
            "broker down), from %s",
            len(left),
            left[0],
            exc_info=True,
        )
        return
    log.warning("%d staged objects handed to the ingest workers to delete", len(left))
