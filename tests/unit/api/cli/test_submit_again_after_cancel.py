"""Running a submission again gives back the batches the server already took. One that was
canceled since will never run its files: saying only "Already submitted as bat_1" left an
operator believing they were on their way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.cli.submitting import upload


class Replaying:
    """POST /v1/batches answering, for every group, the batch an earlier run made."""

    def __init__(self, status: str) -> None:
        self.status = status

    def submit_batch(self, paths: list[Path], **_: Any) -> dict[str, Any]:
        return {"id": "bat_1", "status": self.status, "replayed": True}


def _files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "a.wav", tmp_path / "b.wav"]
    for path in paths:
        path.write_bytes(b"RIFF")
    return paths


def test_a_batch_given_back_that_was_canceled_is_said_to_be_canceled_with_how_to_send_anew(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path)

    upload(Replaying("canceled"), [files], {}, {}, again=False, url=None)  # type: ignore[arg-type]

    said = capsys.readouterr().err
    assert "Already submitted as bat_1 (an earlier run), which was canceled" in said
    assert "--again" in said


def test_a_batch_given_back_that_is_running_is_only_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path)

    upload(Replaying("running"), [files], {}, {}, again=False, url=None)  # type: ignore[arg-type]

    said = capsys.readouterr().err
    assert "Already submitted as bat_1 (an earlier run)." in said
    assert "canceled" not in said


def test_a_batch_given_back_with_failed_jobs_says_how_to_run_them_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Running the command again is what an operator tries after failures; it gives the same
    # batch back and runs nothing, so the way that does run them is named.
    class WithFailures(Replaying):
        def submit_batch(self, paths: list[Path], **_: Any) -> dict[str, Any]:
            made = super().submit_batch(paths)
            return {**made, "counts": {"succeeded": 1, "failed": 1}}

    upload(WithFailures("completed"), [_files(tmp_path)], {}, {}, again=False, url=None)  # type: ignore[arg-type]

    said = capsys.readouterr().err
    assert "1 of its jobs failed" in said
    assert "voicepipe batch retry bat_1" in said


def test_ctrl_c_after_a_canceled_batch_was_given_back_does_not_say_it_keeps_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Batches already submitted, which keep running: bat_1" of a batch canceled before.
    class StoppedAtTheSecond(Replaying):
        def submit_batch(self, paths: list[Path], **_: Any) -> dict[str, Any]:
            if paths[0].name == "b.wav":
                raise KeyboardInterrupt
            return super().submit_batch(paths)

    a, b = _files(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        upload(StoppedAtTheSecond("canceled"), [[a], [b]], {}, {}, again=False, url=None)  # type: ignore[arg-type]

    said = capsys.readouterr().err
    assert stopped.value.code == 130
    assert "keep running" not in said
    assert "batch watch" not in said
    assert "bat_1 (canceled)" in said
