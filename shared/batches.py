"""A batch: many recordings submitted as one unit, with options shared by every item."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.models import ErrorInfo, JobOptions, utcnow

BatchSource = Literal["upload", "manifest", "prefix"]
# Limits per entry rather than one total, so that a schema (and so every generated client)
# can state them exactly: at most 16 x (64 + 256) characters per item.
MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 256
MetadataKey = Annotated[str, StringConstraints(max_length=MAX_METADATA_KEY_CHARS)]
MetadataValue = (
    Annotated[str, StringConstraints(max_length=MAX_METADATA_VALUE_CHARS)]
    | int
    # Finite only: JSON has no NaN or infinity (Python's json.dumps writes them anyway), and
    # such a value was kept as null on the job and in every export, without a word.
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None
)
Metadata = Annotated[dict[MetadataKey, MetadataValue], Field(max_length=MAX_METADATA_KEYS)]


def new_batch_id() -> str:
    millis = int(utcnow().timestamp() * 1000)
    return f"bat_{millis:012x}{secrets.token_hex(8)}"


def batch_job_id(batch_id: str, index: int) -> str:
    """The job of item ``index``: fixed in advance, so an ingest worker that dies after
    making it and runs the item again finds it instead of making a second one. Sortable by
    the batch's creation time, like every job id."""
    millis = batch_id[4:16]
    tail = hashlib.sha256(f"{batch_id}:{index}".encode()).hexdigest()[:16]
    return f"job_{millis}{tail}"


class BatchItem(BaseModel):
    """One recording to fetch: a URL, an object key of the import location, or (made by
    the API for a multipart part) a staged upload; or typed ``text`` (a text job)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2048)
    key: str | None = Field(default=None, max_length=1024)
    upload: str | None = Field(default=None, max_length=1024)
    # As a manifest gives it; the API stages it as an object (``upload`` with ``typed``)
    # before the batch is recorded, so no typed text is ever written to Redis, whose
    # append-only file would keep it after redaction and deletion. Checked against
    # api.max_text_chars when the item becomes its job (as a rejection).
    text: str | None = Field(default=None, max_length=1_000_000)
    typed: bool = False
    filename: str | None = Field(default=None, max_length=255)
    metadata: Metadata = Field(default_factory=dict)
    # Set by the API for a part it refused on sight (over the upload limit): recorded as
    # the item's rejection, in its place, without ever being stored.
    refused: ErrorInfo | None = None

    @model_validator(mode="after")
    def _one_source(self) -> BatchItem:
        given = [name for name in ("url", "key", "upload", "text") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("each item needs exactly one of 'url', 'key' or 'text'")
        return self

    @property
    def source(self) -> str:
        """What a person knows the item by: its URL, its key, or its file name."""
        if self.text or self.typed:
            return self.filename or "text"
        return self.url or self.key or self.filename or "upload"


class Batch(BaseModel):
    """What never changes after creation; counters and state live beside it (batchstore)."""

    id: str = Field(default_factory=new_batch_id)
    tenant: str = "default"
    created_at: datetime = Field(default_factory=utcnow)
    source: BatchSource
    prefix: str | None = None
    options: JobOptions = Field(default_factory=JobOptions)


class ItemRejection(BaseModel):
    """An item that never became a job: it could not be fetched or is not valid audio."""

    index: int
    source: str
    code: str
    message: str
    metadata: dict[str, Any] = Field(default_factory=dict)


# "canceling": a cancel is recorded and its ingest task has not ended every job yet.
BatchStatus = Literal["expanding", "running", "canceling", "completed", "canceled"]
