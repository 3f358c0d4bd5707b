"""A file removed after `voicepipe submit` listed it and checked it could be read, while the
copies among the files are looked for or the batches planned: each step read the file again
(its size, its bytes), and a FileNotFoundError traceback ended the command."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import api.cli.copies
import api.cli.file_submission
from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client


def _removing_after(monkeypatch: pytest.MonkeyPatch, module: object, name: str, gone: Path) -> None:
    """``module.name`` as it was, then ``gone`` removed, as another program might."""
    original: Callable[..., object] = getattr(module, name)

    def then_remove(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        gone.unlink(missing_ok=True)
        return result

    monkeypatch.setattr(module, name, then_remove)


def _stopped_cleanly_naming(output: str, name: str, fake: FakeClient) -> None:
    said = " ".join(output.split())
    assert f"{name}: No such file or directory" in said
    assert "nothing was sent" in said
    assert "Traceback" not in output
    assert fake.batches == []


@pytest.mark.parametrize("files", [["a.wav", "b.wav"], ["b.wav"]], ids=["many", "one"])
def test_a_file_removed_before_its_size_is_read_for_copies_stops_the_submission_naming_it(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch, files: Sequence[str]
) -> None:
    _files(tmp_path, files)
    module = api.cli.file_submission
    _removing_after(monkeypatch, module, "check_readable", tmp_path / "b.wav")

    result = _run("submit", str(tmp_path), "--no-wait")

    assert result.exit_code == 1, result.output
    _stopped_cleanly_naming(result.output, "b.wav", fake)


def test_a_file_removed_while_copies_are_hashed_stops_the_submission_naming_it(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Of one size, so both are hashed; the second goes once the first's digest is taken.
    files = _files(tmp_path, ["a.wav", "b.wav"])
    digest = api.cli.copies._digest
    removed: list[Path] = []

    def removing_the_other(path: Path) -> bytes:
        taken = digest(path)
        if not removed:
            removed.extend(other for other in files if other != path)
            removed[0].unlink()
        return taken

    monkeypatch.setattr(api.cli.copies, "_digest", removing_the_other)

    result = _run("submit", str(tmp_path), "--no-wait")

    assert result.exit_code == 1, result.output
    _stopped_cleanly_naming(result.output, removed[0].name, fake)


@pytest.mark.parametrize("files", [["a.wav", "b.wav"], ["b.wav"]], ids=["many", "one"])
def test_a_file_removed_after_the_copies_are_looked_for_stops_the_submission_naming_it(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch, files: Sequence[str]
) -> None:
    # Planning batches (many files) or keying the request (one) reads its size again.
    _files(tmp_path, files)
    module = api.cli.file_submission
    _removing_after(monkeypatch, module, "say_copies", tmp_path / "b.wav")

    result = _run("submit", str(tmp_path), "--no-wait")

    assert result.exit_code == 1, result.output
    _stopped_cleanly_naming(result.output, "b.wav", fake)
