"""Behaviour every ObjectStorage backend must show; run over each backend."""

from __future__ import annotations

import pytest

from shared.errors import StorageKeyNotFound
from shared.storage import ObjectStorage


def check_put_then_get_returns_the_same_bytes(storage: ObjectStorage) -> None:
    storage.put("t1/jobs/a/input.wav", b"RIFF-bytes", "audio/wav")
    assert storage.get("t1/jobs/a/input.wav") == b"RIFF-bytes"


def check_put_replaces_an_existing_object(storage: ObjectStorage) -> None:
    storage.put("t1/jobs/b/reply.json", b"one")
    storage.put("t1/jobs/b/reply.json", b"two")
    assert storage.get("t1/jobs/b/reply.json") == b"two"


def check_missing_key_raises_not_found(storage: ObjectStorage) -> None:
    with pytest.raises(StorageKeyNotFound):
        storage.get("t1/jobs/nope/input.wav")
    assert not storage.exists("t1/jobs/nope/input.wav")


def check_a_folder_a_key_below_an_object_or_an_overlong_name_is_not_found(
    storage: ObjectStorage,
) -> None:
    storage.put("t6/mail/a.wav", b".")
    for key in ("t6/mail", "t6/mail/a.wav/b", "t6/mail/" + "x" * 300 + ".wav"):
        with pytest.raises(StorageKeyNotFound):
            storage.get(key)


def check_list_returns_sorted_keys_under_a_prefix_only(storage: ObjectStorage) -> None:
    for key in ("t2/jobs/x/b", "t2/jobs/x/a", "t2/jobs/y/a", "t3/jobs/x/a"):
        storage.put(key, b".")
    assert storage.list("t2/jobs/x/") == ["t2/jobs/x/a", "t2/jobs/x/b"]


def check_a_listing_resumes_in_pages_after_the_last_key_it_gave(storage: ObjectStorage) -> None:
    keys = [f"t5/imports/day1/{name}" for name in ("a.wav", "b.wav", "sub/c.flac", "d.ogg")]
    for key in (*keys, "t5/imports/day10/x.wav", "t5/imports/day2/y.wav"):
        storage.put(key, b".")
    pages, after = [], ""
    while page := storage.list_page("t5/imports/day1/", after, 2):
        pages.append(page)
        after = page[-1]
    assert pages == [sorted(keys)[:2], sorted(keys)[2:]]


def check_delete_removes_and_tolerates_missing(storage: ObjectStorage) -> None:
    storage.put("t4/jobs/z/a", b".")
    storage.delete("t4/jobs/z/a")
    storage.delete("t4/jobs/z/a")
    assert not storage.exists("t4/jobs/z/a")


def check_keys_that_climb_out_are_refused(storage: ObjectStorage) -> None:
    for key in ("../etc/passwd", "/abs/key", "a//b", "a/./b", ""):
        with pytest.raises(ValueError, match="invalid object key"):
            storage.put(key, b".")


CHECKS = [value for name, value in sorted(globals().items()) if name.startswith("check_")]
