"""A submission of one file is one job: its end names the command that fetches its
outputs, as a batch's end names its export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client

URL = "http://api.test:9000"


def _ends(fake: FakeClient, monkeypatch: pytest.MonkeyPatch, **job: Any) -> None:
    ended = {"id": "job_1", "stages": ["stt"], "updated_at": "t", **job}
    monkeypatch.setattr(fake, "wait", lambda ids, **_: {"job_1": ended})


def test_one_file_that_succeeds_ends_with_the_fetch_command_of_its_outputs(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    [wav] = _files(tmp_path, ["call.wav"])
    _ends(fake, monkeypatch, status="succeeded")

    result = _run("submit", str(wav), "--url", URL)

    assert result.exit_code == 0, result.output
    assert result.stdout == "job_1 succeeded\n"  # what scripts read, as before
    assert f"voicepipe fetch job_1 -o job_1 --url {URL}" in result.stderr


def test_one_file_whose_job_failed_ends_with_the_retry_command(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    [wav] = _files(tmp_path, ["call.wav"])
    error = {"code": "stt.internal", "message": "the engine crashed"}
    _ends(fake, monkeypatch, status="failed", error=error)

    result = _run("submit", str(wav), "--url", URL)

    assert result.exit_code == 1, result.output
    assert f"voicepipe retry job_1 --url {URL}" in result.stderr
    assert "voicepipe fetch" not in result.stderr
