"""Turning ``POST /v1/batches`` into a recorded batch whose expansion is queued.

The request does only what must happen before the answer: it reads the options and the
item list (or stages the uploaded parts), records the batch and queues its expansion.
Fetching and validating each item is the ingest workers' job, so a manifest of 10,000
items is answered as fast as one of ten.
"""

from __future__ import annotations

import hashlib
from functools import partial

from fastapi import Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import batch_idempotency, staged
from api.batch_manifest import BatchRequest
from api.batch_problems import checked_text, problems
from api.deps import Services
from api.errors import ApiError, job_store_unavailable
from api.form_in_memory import read_form
from api.job_form import unknown_field
from api.options import OptionFields, job_options, text_options
from shared.batches import Batch, BatchItem
from shared.inputs import form_filename, kept_filename, too_large
from shared.models import ErrorInfo
from shared.queues import INGEST, INGEST_TASKS


async def _read_json(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _manifest_too_large(limit)
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > limit:
            raise _manifest_too_large(limit)
    return bytes(body)


def _manifest_too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "manifest_too_large",
        f"The manifest is larger than {limit / 1048576:g} MB. Split it into several batches, "
        "or put the recordings under one prefix and submit the prefix.",
    )


async def from_json(
    request: Request, services: Services, tenant: str, key: str | None = None
) -> tuple[str, bool]:
    """The id of the batch made, and whether it is an earlier request's (a repeated
    Idempotency-Key ``key``)."""
    body = await _read_json(request, services.settings.batches.max_manifest_bytes)
    # Parsing and validating 100,000 items takes a while: off the event loop, so other
    # clients' requests are not held up meanwhile.
    batch, items = await run_in_threadpool(_manifest, body, services, tenant)
    digest = batch_idempotency.request_digest([hashlib.sha256(body).hexdigest()], batch.options)
    stored: list[str] = []
    try:
        if items is not None:
            items = await run_in_threadpool(_stage_texts, services, batch, items, stored)
        made = await batch_idempotency.claim_and_record(
            services, batch, key, digest, partial(_record, services, batch, items)
        )
    except BaseException:
        await staged.discard(services, stored)
        raise
    if made[1]:  # an earlier request's batch has its own
        await staged.discard(services, stored)
    return made


def _stage_texts(
    services: Services, batch: Batch, items: list[BatchItem], stored: list[str]
) -> list[BatchItem]:
    """Each typed text stored as an object the ingest workers read (see BatchItem.text);
    each key is added to ``stored`` once written."""
    kept = []
    for index, item in enumerate(items):
        if item.text:
            key = f"{batch.tenant}/batches/{batch.id}/texts/{index:06d}.txt"
            staged.put(services, key, item.text.encode(), "text/plain; charset=utf-8")
            stored.append(key)
            item = item.model_copy(update={"text": None, "upload": key, "typed": True})
        kept.append(item)
    return kept


def _manifest(body: bytes, services: Services, tenant: str) -> tuple[Batch, list[BatchItem] | None]:
    """The batch a JSON body asks for, and its items (None for a prefix)."""
    try:
        request = BatchRequest.model_validate_json(body)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
        raise ApiError(400, "invalid_batch", f"The batch is not valid: {problems(exc)}") from None
    if (request.items is None) == (request.prefix is None):
        raise ApiError(
            400,
            "invalid_batch",
            "Send either 'items' (a manifest of URLs, object keys or texts) or 'prefix' (every "
            "object under it), not both and not neither.",
        )
    fields = OptionFields.model_validate(request.model_dump(include=set(OptionFields.model_fields)))
    # Refused here, not as each job's failure once queued: every object under a prefix is
    # fetched as a recording; a typed text has no language to hear, so a manifest of texts
    # alone is not.
    recordings = request.prefix is not None or any(not i.text for i in request.items or [])
    options = job_options(services, tenant, fields, recording=recordings)
    if request.prefix is not None:
        _check_bucket(services, request.prefix.bucket)
        return Batch(
            tenant=tenant, source="prefix", prefix=request.prefix.prefix, options=options
        ), None
    items = request.items or []
    limit = services.settings.batches.max_items
    if not items:
        raise ApiError(400, "empty_batch", "The manifest has no items.")
    if len(items) > limit:
        raise ApiError(
            413,
            "too_many_items",
            f"A batch holds at most {limit} items; this one has {len(items)}. "
            "Split it into several batches.",
        )
    records = []
    for index, item in enumerate(items):
        try:
            records.append(BatchItem(**item.model_dump()))
        except ValidationError as exc:
            # Named by its place: a manifest may hold 100,000 items.
            message = "; ".join(checked_text(e) for e in exc.errors()[:3])
            raise ApiError(400, "invalid_batch", f"items.{index} is not valid: {message}") from None
    if not recordings:
        # Nothing to transcribe: an stt engine would be stored and never used.
        text_options(fields)
    return Batch(tenant=tenant, source="manifest", options=options), records


def _check_bucket(services: Services, bucket: str | None) -> None:
    imports = services.settings.imports
    allowed = imports.s3_bucket if imports.backend == "s3" else None
    if bucket is not None and bucket != allowed:
        raise ApiError(
            400,
            "bucket_not_allowed",
            f"Batches can read only the configured import location"
            f"{f' (bucket {allowed!r})' if allowed else ''}; leave 'bucket' out or name it.",
        )


async def from_multipart(
    request: Request, services: Services, tenant: str, key: str | None = None
) -> tuple[str, bool]:
    """As from_json, for a form of `file` parts."""
    cfg = services.settings.batches
    try:
        form = await read_form(request, max_files=cfg.max_parts, max_fields=64)
    except StarletteHTTPException as exc:
        # Starlette names its limits only in words. Any other form error (no boundary, a
        # part without a name, a text field over 1 MB) is answered as POST /v1/jobs answers
        # it: 400 invalid_request with the parser's own reason.
        if not str(exc.detail).startswith("Too many files"):
            raise
        raise ApiError(
            400,
            "too_many_parts",
            f"The form could not be read ({exc.detail}). A batch upload takes at most "
            f"{cfg.max_parts} 'file' parts; send more as several batches, or as a manifest.",
        ) from None
    try:
        return await _from_form(form, services, tenant, key)
    finally:
        # Closes the spooled files, which the parsed form holds open until then.
        await form.close()


async def _from_form(
    form: FormData, services: Services, tenant: str, key: str | None
) -> tuple[str, bool]:
    files: list[UploadFile] = []
    values: dict[str, str] = {}
    for place, (name, value) in enumerate(form.multi_items(), start=1):
        if name == "file" and not isinstance(value, str):
            files.append(value)
        elif name == "file" and value != "":
            # No file name (curl -F 'file=<vm.wav', or filename=""): read as text, its bytes
            # cannot be told apart from their decoding. Dropped before, the batch one short.
            # (An empty one is a browser's file input left empty: nothing was sent.)
            raise ApiError(
                400,
                "invalid_request",
                f"The form's part {place} is named 'file' but has no file name, so it cannot "
                "be read as a recording. Send every recording as a file part with a file "
                "name (curl -F file=@vm.wav, not file=<vm.wav).",
            )
        elif not isinstance(value, str):
            # A recording under another name would never become an item: dropped before.
            raise ApiError(
                400,
                "invalid_request",
                f"The form's part {place} ({value.filename!r}) is a file named {name!r}: "
                "every recording of a batch goes in a part named 'file'. Rename it.",
            )
        elif value != "" and name not in OptionFields.model_fields:
            # As for POST /v1/jobs: dropped, a misspelt option ran every job of the batch
            # other than asked, without a word. An empty field asks for nothing.
            raise unknown_field("POST /v1/batches", [name], "each recording as a 'file' part")
        elif value != "":
            # As for POST /v1/jobs: an empty field is the default.
            if name in values:
                raise ApiError(400, "duplicate_field", f"The field {name!r} came more than once.")
            values[name] = str(value)
    if not files:
        raise ApiError(
            400,
            "missing_file",
            "No recordings were sent: add each one as a file part named 'file' (with a filename).",
        )
    try:
        fields = OptionFields.model_validate(values)
    except ValidationError as exc:
        raise ApiError(
            400, "invalid_batch", f"The options are not valid: {problems(exc)}"
        ) from None
    # Before a part is staged: every part is a recording, and each job would fail alike.
    options = job_options(services, tenant, fields, recording=True)
    batch = Batch(tenant=tenant, source="upload", options=options)
    items: list[BatchItem] = []
    parts: list[str] = []
    # Each part by its name and content, for a repeated Idempotency-Key.
    seen: list[str] = []
    limit = services.settings.api.max_upload_bytes
    try:
        for index, part in enumerate(files):
            where = f"{tenant}/batches/{batch.id}/uploads/{index:06d}"
            # Shortened and cleaned as POST /v1/jobs does: the name is only ever displayed,
            # so a long one is no reason to refuse the recording.
            # Redacted as the batch's jobs are: a voicemail system names files by the number.
            filename = kept_filename(
                form_filename(part.filename), batch.options.redact, services.settings.redaction
            )
            if part.size is not None and part.size > limit:
                # Never read into memory nor stored: the item is recorded as refused.
                refused = too_large(limit)
                error = ErrorInfo(code=refused.code, message=refused.message)
                items.append(BatchItem(upload=where, filename=filename, refused=error))
                seen.append(f"{part.filename}\0size {part.size}")
                continue
            # Staged as sent; validated by the ingest workers exactly like a single upload.
            parts.append(where)
            # One part at a time, and no more than the process's slots (api.upload_memory).
            async with services.uploads.read_whole(part) as data:
                content = await run_in_threadpool(_stage, services, where, data, key)
            items.append(BatchItem(upload=where, filename=filename))
            seen.append(f"{part.filename}\0{content}")
        digest = batch_idempotency.request_digest(seen, batch.options)
        made = await batch_idempotency.claim_and_record(
            services, batch, key, digest, partial(_record, services, batch, items)
        )
    except Exception:
        # Whatever stops the batch, no staged part outlives it.
        await staged.discard(services, parts)
        raise
    if made[1]:
        # An earlier request's batch holds these recordings already.
        await staged.discard(services, parts)
    return made


def _stage(services: Services, key: str, data: bytes, idempotency_key: str | None) -> str:
    """Stores a part; its SHA-256 when a repeat must be told by it (else nothing: 2 GB of
    parts take seconds to hash)."""
    staged.put(services, key, data)
    return hashlib.sha256(data).hexdigest() if idempotency_key else ""


async def _record(services: Services, batch: Batch, items: list[BatchItem] | None) -> Batch:
    store = services.batches
    try:
        # Fenced: a broker that was stopped makes nothing of it after this 503 (its staged
        # uploads are deleted), when it resumes and runs what it kept.
        await run_in_threadpool(store.create, batch, items, services.clock)
    except Exception as exc:
        raise job_store_unavailable(
            exc, "The job store is not reachable; try again.", "Nothing was made."
        ) from exc
    try:
        await run_in_threadpool(
            services.celery.send_task, INGEST_TASKS["plan"], args=[batch.id], queue=INGEST
        )
    except Exception as exc:
        await run_in_threadpool(store.discard, batch)
        raise ApiError(
            503, "broker_unavailable", "The queue is not reachable; nothing was queued. Try again."
        ) from exc
    return batch
