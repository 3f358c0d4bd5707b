"""What a URL item's rejection shows: no more of the URL than its shown source does, since a
redacting batch's sources hide the caller's number and the URL may carry credentials."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shared.batches import Batch, BatchItem
from shared.models import JobOptions
from shared.redaction_policy import JobRedaction
from shared.settings import FetchSettings
from workers import batch_items
from workers.context import WorkerContext


class _Missing(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def base() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Missing)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _App:
    def send_task(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a rejected item queues nothing")


def _local(ctx: WorkerContext) -> WorkerContext:
    fetch = FetchSettings(allow_ranges=["127.0.0.1/32"])
    return dataclasses.replace(ctx, settings=ctx.settings.model_copy(update={"fetch": fetch}))


def _rejected(ctx: WorkerContext, batch: Batch, url: str) -> tuple[str, str]:
    item = BatchItem(url=url)
    ctx.batches.create(batch, [item])
    assert batch_items.ingest_item(ctx, _App(), batch, 0, item) == "rejected"
    [rejection] = ctx.batches.rejections(batch.id, -1, 10)
    return rejection.source, rejection.message


def test_a_redacting_batchs_missing_url_is_rejected_without_the_callers_number(
    ctx: WorkerContext, base: str
) -> None:
    batch = Batch(source="manifest", options=JobOptions(redact=JobRedaction()))

    source, message = _rejected(
        _local(ctx), batch, f"{base}/vm/+14155552671.wav?X-Amz-Signature=abc123"
    )

    assert "404" in message
    assert "+14155552671" not in source
    assert "+14155552671" not in message
    assert "abc123" not in message


def test_a_url_items_password_is_not_kept_in_what_the_rejection_shows(
    ctx: WorkerContext,
) -> None:
    batch = Batch(source="manifest")

    source, message = _rejected(ctx, batch, "https://alice:hunter2@files.example/vm/1.wav")

    assert "hunter2" not in source
    assert "hunter2" not in message
    assert source.endswith("files.example/vm/1.wav")


def test_a_presigned_urls_signature_is_not_kept_in_what_the_rejection_shows(
    ctx: WorkerContext, base: str
) -> None:
    batch = Batch(source="manifest")

    source, message = _rejected(
        _local(ctx), batch, f"{base}/vm/1.wav?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=abc123"
    )

    assert "404" in message
    assert source == f"{base}/vm/1.wav?X-Amz-Credential=***&X-Amz-Signature=***"
