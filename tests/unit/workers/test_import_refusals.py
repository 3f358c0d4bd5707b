"""An import location that refuses a read for good (no such bucket, credentials, region) is
the item's rejection at once, naming what to check; one that is down is still retried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from shared.batches import Batch, BatchItem
from shared.storage import LocalStorage, ObjectStorage
from workers import batch_items, ingest
from workers.context import WorkerContext


class _App:
    def send_task(self, name: str, args: list[str], queue: str, priority: int = 0) -> Any:
        raise AssertionError("nothing is queued for a refused item")


def _s3_error(code: str, status: int, message: str = "S3 says no") -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "GetObject")


class _Refusing(LocalStorage):
    """An import location whose every read and listing fails with ``error``."""

    def __init__(self, root: Path, error: Exception) -> None:
        super().__init__(root)
        self.error = error

    def get(self, key: str) -> bytes:
        raise self.error

    def list_page(self, prefix: str, after: str, limit: int) -> list[str]:
        raise self.error


def _use(monkeypatch: pytest.MonkeyPatch, location: ObjectStorage) -> None:
    monkeypatch.setattr(batch_items, "import_location", lambda settings: location)
    monkeypatch.setattr(ingest, "import_location", lambda settings: location)


@pytest.mark.parametrize(
    ("code", "status", "named"),
    [
        ("NoSuchBucket", 404, "VOICEPIPE_IMPORTS__S3_BUCKET"),
        ("AccessDenied", 403, "credentials"),
        ("SignatureDoesNotMatch", 403, "VOICEPIPE_IMPORTS__S3_SECRET_ACCESS_KEY"),
        ("PermanentRedirect", 301, "VOICEPIPE_IMPORTS__S3_REGION"),
        ("InvalidObjectState", 403, "archived"),
    ],
)
def test_a_key_the_import_location_refuses_for_good_is_rejected_at_once_naming_what_to_check(
    ctx: WorkerContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    status: int,
    named: str,
) -> None:
    _use(monkeypatch, _Refusing(tmp_path / "imports", _s3_error(code, status, "secret-ish")))
    item = BatchItem(key="mail/vm 1+2.wav")
    batch = Batch(source="manifest")
    ctx.batches.create(batch, [item])

    assert batch_items.ingest_item(ctx, _App(), batch, 0, item) == "rejected"

    [rejection] = ctx.batches.rejections(batch.id, -1, 10)
    assert rejection.code == "import_refused"
    assert "'mail/vm 1+2.wav'" in rejection.message
    assert code in rejection.message
    assert named in rejection.message
    assert "secret-ish" not in rejection.message  # S3's own words may carry the request


def test_a_key_the_local_import_folder_may_not_read_is_rejected_naming_the_folder_setting(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = PermissionError(13, "Permission denied")
    _use(monkeypatch, _Refusing(tmp_path / "imports", denied))
    item = BatchItem(key="mail/a.wav")
    batch = Batch(source="manifest")
    ctx.batches.create(batch, [item])

    assert batch_items.ingest_item(ctx, _App(), batch, 0, item) == "rejected"
    [rejection] = ctx.batches.rejections(batch.id, -1, 10)
    assert "VOICEPIPE_IMPORTS__LOCAL_DIR" in rejection.message


@pytest.mark.parametrize(
    "error", [_s3_error("SlowDown", 503), _s3_error("InternalError", 500), OSError("down")]
)
def test_a_key_read_from_an_import_location_that_is_down_is_left_to_the_chunks_retries(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    _use(monkeypatch, _Refusing(tmp_path / "imports", error))
    item = BatchItem(key="mail/a.wav")
    batch = Batch(source="manifest")
    ctx.batches.create(batch, [item])

    with pytest.raises(type(error)):
        batch_items.ingest_item(ctx, _App(), batch, 0, item)
    assert ctx.batches.rejections(batch.id, -1, 10) == []


def test_a_prefix_whose_listing_is_refused_becomes_one_rejected_item_and_the_listing_ends(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, _Refusing(tmp_path / "imports", _s3_error("NoSuchBucket", 404)))
    batch = Batch(source="prefix", prefix="mail/2026-")
    ctx.batches.create(batch, None)

    ingest._list_prefix(ctx, batch.id)

    state = ctx.batches.get(batch.id)
    assert state.counters.get("listed") == "1"
    assert state.items == 1
    [item] = ctx.batches.items(batch.id, 0, 10)
    assert batch_items.ingest_item(ctx, _App(), batch, 0, item) == "rejected"
    [rejection] = ctx.batches.rejections(batch.id, -1, 10)
    assert rejection.source == "mail/2026-"
    assert rejection.code == "import_refused"
    assert "prefix 'mail/2026-'" in rejection.message
    assert "VOICEPIPE_IMPORTS__S3_BUCKET" in rejection.message


def test_a_prefix_listing_from_an_import_location_that_is_down_is_left_for_the_next_plan(
    ctx: WorkerContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, _Refusing(tmp_path / "imports", _s3_error("SlowDown", 503)))
    batch = Batch(source="prefix", prefix="mail/")
    ctx.batches.create(batch, None)

    with pytest.raises(ClientError):
        ingest._list_prefix(ctx, batch.id)
    assert ctx.batches.get(batch.id).counters.get("listed") != "1"
