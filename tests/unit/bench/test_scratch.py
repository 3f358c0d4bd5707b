"""Where `make bench` keeps its stacks: its own folder, and what killed runs left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench import scratch


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


def test_a_run_removes_folders_of_runs_that_died_and_keeps_everything_else(
    tmp_path: Path,
) -> None:
    dead = tmp_path / f"{scratch.PREFIX}{_dead_pid()}"
    (dead / "o" / "jobs").mkdir(parents=True)
    (dead / "o" / "jobs" / "input.mp3").write_bytes(b"x" * 1024)
    alive = tmp_path / f"{scratch.PREFIX}{os.getppid()}"
    alive.mkdir()
    other = tmp_path / "tmpabc123"
    other.mkdir()
    not_a_pid = tmp_path / f"{scratch.PREFIX}notes"
    not_a_pid.mkdir()

    with scratch.folder(tmp_path):
        pass

    assert not dead.exists()
    assert alive.exists()
    assert other.exists()
    assert not_a_pid.exists()


def test_temporary_files_of_a_run_go_to_its_folder_which_is_removed_at_its_end(
    tmp_path: Path,
) -> None:
    before = tempfile.tempdir
    with scratch.folder(tmp_path) as mine:
        assert mine == tmp_path / f"{scratch.PREFIX}{os.getpid()}"
        with tempfile.TemporaryDirectory() as stack:
            assert Path(stack).parent == mine
        (mine / "left-by-a-part").write_text("x")
    assert not mine.exists()
    assert tempfile.tempdir == before


def test_a_run_under_an_unwritable_parent_works_in_the_usual_temporary_folder(
    tmp_path: Path,
) -> None:
    usual = Path(tempfile.gettempdir())
    with scratch.folder(tmp_path / "absent") as mine:
        assert mine.parent == usual
        assert mine.exists()
    assert not mine.exists()
    assert not (tmp_path / "absent").exists()
