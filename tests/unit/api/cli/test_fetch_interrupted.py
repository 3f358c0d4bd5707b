"""Ctrl-C while `voicepipe fetch` downloads or writes a job's outputs: what was saved, what
was not, and the command that fetches them again (it said only "Interrupted.")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import api.cli.batch_commands
from api.cli import main
from shared.settings import reset_settings_cache
from tests.unit.api.cli.test_job_commands import Jobs


class Interrupted(Jobs):
    """A job that ends while waited for; Ctrl-C comes as its ``stop_at`` transcript is read."""

    def __init__(self, stop_at: str | None) -> None:
        super().__init__("running", "succeeded")
        self.stop_at = stop_at

    def transcript(self, job_id: str, fmt: str) -> bytes:
        if fmt == self.stop_at:
            raise KeyboardInterrupt
        return super().transcript(job_id, fmt)


@pytest.fixture
def use(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    reset_settings_cache()
    yield monkeypatch
    reset_settings_cache()


def test_ctrl_c_while_downloading_says_nothing_was_saved_and_how_to_fetch_again(
    use: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = Interrupted(stop_at="srt")
    use.setattr(api.cli.batch_commands, "open_client", lambda url, key: client)
    out = tmp_path / "out"

    result = CliRunner().invoke(main, ["fetch", "job_1", "--wait", "-o", str(out)])

    assert result.exit_code == 130, result.output
    assert "Stopped downloading job job_1's outputs: nothing was saved" in result.output
    assert f"voicepipe fetch job_1 -o {out}" in result.output
    assert "--wait" not in result.output  # the job has ended
    assert not out.exists()


def test_ctrl_c_while_writing_names_the_files_saved_and_those_not(
    use: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = Interrupted(stop_at=None)
    use.setattr(api.cli.batch_commands, "open_client", lambda url, key: client)
    write_bytes = Path.write_bytes

    def stopped_at_srt(path: Path, data: bytes) -> int:
        if path.name == "transcript.srt":
            write_bytes(path, data[:3])  # cut short
            raise KeyboardInterrupt
        return write_bytes(path, data)

    use.setattr(Path, "write_bytes", stopped_at_srt)
    out = tmp_path / "out"

    result = CliRunner().invoke(main, ["fetch", "job_1", "--wait", "-o", str(out)])

    assert result.exit_code == 130, result.output
    assert f"saved transcript.txt, transcript.json in {out}" in result.output
    assert "not saved: transcript.srt, transcript.vtt" in result.output
    assert f"voicepipe fetch job_1 -o {out}" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["transcript.json", "transcript.txt"]
