from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shared.storage import LocalStorage, check_prefix
from tests.storage_contract import CHECKS


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
def test_local_storage_meets_the_storage_contract(
    tmp_path: Path, check: Callable[[LocalStorage], None]
) -> None:
    check(LocalStorage(tmp_path))


def test_local_storage_leaves_no_temporary_files_after_writes(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put("a/b/c.bin", b"x" * 1000)

    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["c.bin"]


def test_local_storage_path_hint_is_the_file_on_disk(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.put("a/b.txt", b"hi")

    assert Path(storage.path_hint("a/b.txt")).read_bytes() == b"hi"


@pytest.mark.parametrize("prefix", ["mail/", "mail/2026-", "a", "a/b/c/"])
def test_a_prefix_of_plain_folders_or_a_key_start_is_accepted(prefix: str) -> None:
    check_prefix(prefix)


@pytest.mark.parametrize("prefix", ["/", "../", "mail/../../other/", "./x", "a//b", "//", "/a"])
def test_a_prefix_no_valid_key_could_start_with_is_refused_with_what_to_give(prefix: str) -> None:
    with pytest.raises(ValueError, match="give a folder of the import location"):
        check_prefix(prefix)
