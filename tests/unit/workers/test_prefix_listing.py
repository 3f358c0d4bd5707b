"""Listing a prefix batch page by page: folder markers ("mail/sub/") are skipped without
ending the listing, and a prefix holding more objects than the batch may take says so."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.batches import Batch
from shared.batchstore import BatchStore
from shared.deadlines import deadline_function
from shared.jobstore import JobStore
from shared.redis_keys import connect
from shared.settings import BatchSettings, BrokerSettings, Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess
from workers import ingest
from workers.context import WorkerContext

_PAGE = 4

Listing = Callable[..., list[tuple[str, str | None]]]


class _Bucket(LocalStorage):
    """A listing as S3 gives it, folder markers ("…/") included, in pages."""

    def __init__(self, root: Path, keys: list[str]) -> None:
        super().__init__(root)
        self.keys = sorted(keys)

    def list_page(self, prefix: str, after: str, limit: int) -> list[str]:
        return [k for k in self.keys if k.startswith(prefix) and k > after][:limit]


def _ctx(valkey: ValkeyProcess, tmp_path: Path, max_items: int) -> WorkerContext:
    settings = Settings(
        data_dir=tmp_path,
        broker=BrokerSettings(url=valkey.url),
        batches=BatchSettings(max_items=max_items),
    )
    client = connect(valkey.url)
    return WorkerContext(
        settings=settings,
        storage=LocalStorage(tmp_path / "objects"),
        jobs=JobStore(client, deadline_function(settings)),
        batches=BatchStore(client),
        pid=os.getpid(),
    )


@pytest.fixture
def listing(valkey: ValkeyProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Listing:
    monkeypatch.setattr(ingest, "_LIST_PAGE", _PAGE)

    def run(keys: list[str], max_items: int = 100) -> list[tuple[str, str | None]]:
        ctx = _ctx(valkey, tmp_path, max_items)
        bucket = _Bucket(tmp_path / "imports", [f"default/{k}" for k in keys])
        monkeypatch.setattr(ingest, "import_location", lambda settings: bucket)
        batch = Batch(source="prefix", prefix="mail/")
        ctx.batches.create(batch, None)
        ingest._list_prefix(ctx, batch.id)
        items = ctx.batches.items(batch.id, 0, 1000)
        return [(i.key or "", i.refused.code if i.refused else None) for i in items]

    return run


def test_folder_markers_in_a_full_page_are_skipped_and_the_listing_goes_on(
    listing: Listing,
) -> None:
    recordings = [f"mail/{d}/{n}.wav" for d in ("day1", "day2", "day3") for n in range(3)]
    markers = ["mail/", "mail/day1/", "mail/day2/", "mail/day3/"]

    listed = listing(recordings + markers)

    assert listed == [(k, None) for k in sorted(recordings)]


def test_a_page_of_folder_markers_only_does_not_end_the_listing(listing: Listing) -> None:
    markers = [f"mail/{c}/" for c in "abcdefg"]

    listed = listing([*markers, "mail/z.wav"])

    assert listed == [("mail/z.wav", None)]


# The limit reached within a page (5 of 7), or at a page's end with more to come (8 of 9).
@pytest.mark.parametrize(("objects", "max_items"), [(7, 5), (9, 8)])
def test_a_prefix_holding_more_objects_than_a_batch_takes_ends_with_an_item_saying_so(
    listing: Listing, objects: int, max_items: int
) -> None:
    recordings = [f"mail/{n:02d}.wav" for n in range(objects)]

    listed = listing(recordings, max_items=max_items)

    assert listed[:max_items] == [(k, None) for k in recordings[:max_items]]
    assert listed[max_items:] == [("mail/", "too_many_items")]


def test_a_prefix_holding_exactly_as_many_objects_as_a_batch_takes_lists_them_all(
    listing: Listing,
) -> None:
    recordings = [f"mail/{n:02d}.wav" for n in range(8)]

    listed = listing([*recordings, "mail/zz/"], max_items=8)

    assert listed == [(k, None) for k in recordings]


def test_a_prefix_with_nothing_under_it_is_one_item_saying_so_not_an_empty_batch(
    listing: Listing,
) -> None:
    # Before, a mistyped prefix ("mial/") made a batch of 0 items that read "completed",
    # with not a word of why; an empty manifest is refused as empty_batch.
    assert listing(["other/x.wav", "mail/"]) == [("mail/", "object_not_found")]
