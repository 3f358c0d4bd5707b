from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shared.errors import StorageKeyNotFound
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


def test_a_link_leading_out_of_the_keys_top_folder_is_no_object(tmp_path: Path) -> None:
    # An import folder filled by a tenant's own sync tool (rsync keeps links) must not let a
    # key read the server's files or another tenant's recordings.
    root, outside = tmp_path / "imports", tmp_path / "outside"
    storage = LocalStorage(root)
    outside.mkdir()
    (outside / "secret.wav").write_bytes(b"not yours")
    (outside / "dir").mkdir()
    (outside / "dir" / "x.wav").write_bytes(b"not yours")
    storage.put("other/mail/theirs.wav", b"not yours")
    storage.put("acme/mail/a.wav", b"ours")
    links = {
        "escape.wav": outside / "secret.wav",
        "escape-dir": outside / "dir",
        "neighbour.wav": root / "other" / "mail" / "theirs.wav",
        "relative.wav": Path("../../other/mail/theirs.wav"),
    }
    for name, target in links.items():
        (root / "acme" / "mail" / name).symlink_to(target)

    for key in ("escape.wav", "escape-dir/x.wav", "neighbour.wav", "relative.wav"):
        with pytest.raises(StorageKeyNotFound, match="link"):
            storage.get(f"acme/mail/{key}")


def test_a_link_within_the_keys_top_folder_or_a_top_folder_that_is_a_link_is_read(
    tmp_path: Path,
) -> None:
    root, mount = tmp_path / "imports", tmp_path / "mnt-acme"
    storage = LocalStorage(root)
    (mount / "mail").mkdir(parents=True)
    (mount / "mail" / "a.wav").write_bytes(b"ours")
    (root / "acme").symlink_to(mount)  # a tenant's folder on its own volume
    (mount / "mail" / "latest.wav").symlink_to("a.wav")

    assert storage.get("acme/mail/a.wav") == b"ours"
    assert storage.get("acme/mail/latest.wav") == b"ours"
