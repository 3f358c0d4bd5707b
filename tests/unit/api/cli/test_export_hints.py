"""The export commands a run ends with are commands that work as printed: they reach the
server the run used, and the batches of one split submission are not all written to one
file, each export overwriting the one before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, _view, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client

URL = "http://api.test:9000"


def test_a_split_submission_names_a_results_file_of_its_own_for_each_batch(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, ["a.wav", "b.wav", "c.wav"])

    result = _run("submit", "--stages", "stt", str(tmp_path))

    assert result.exit_code == 0, result.output
    outputs = re.findall(r"voicepipe batch export (bat_\d+) -o (\S+)", result.stdout)
    assert [batch for batch, _ in outputs] == ["bat_1", "bat_2"]
    assert len({output for _, output in outputs}) == 2, result.stdout


def test_the_export_command_a_submission_ends_with_names_the_url_it_was_sent_to(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path, ["a.wav", "b.wav"])

    result = _run("submit", "--stages", "stt", str(tmp_path), "--url", URL)

    assert result.exit_code == 0, result.output
    assert f"voicepipe batch export bat_1 -o results.csv --url {URL}" in result.stdout


def test_the_export_command_a_watch_ends_with_names_the_url_it_watched(
    fake: FakeClient,
) -> None:
    result = _run("batch", "watch", "bat_1", "--url", URL)

    assert result.exit_code == 0, result.output
    assert f"voicepipe batch export bat_1 -o results.csv --url {URL}" in result.stdout


def test_batch_retry_says_how_to_follow_the_batch_on_the_url_it_was_given(
    fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = _view("bat_1", done=2, counts={"succeeded": 2, "failed": 1})
    monkeypatch.setattr(fake, "retry_batch", lambda batch_id: view, raising=False)

    result = _run("batch", "retry", "bat_1", "--url", URL)

    assert result.exit_code == 0, result.output
    assert f"voicepipe batch watch bat_1 --url {URL}" in result.output


def test_a_run_again_names_batch_retry_for_the_url_it_was_sent_to(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _files(tmp_path, ["a.wav", "b.wav"])
    made = {"id": "bat_1", "replayed": True, "status": "completed", "counts": {"failed": 1}}
    monkeypatch.setattr(fake, "submit_batch", lambda *a, **k: made)

    result = _run("submit", "--stages", "stt", str(tmp_path), "--url", URL)

    assert f"`voicepipe batch retry bat_1 --url {URL}`" in result.output


@pytest.mark.parametrize("to_file", [True, False])
def test_an_export_of_a_batch_still_running_says_its_rows_are_not_all_final(
    tmp_path: Path, fake: FakeClient, to_file: bool
) -> None:
    # Before, "wrote x.csv" and exit 0: a table of 40 rows, 38 of them "queued" with no
    # transcript, read as the day's results.
    fake.views = [_view("bat_1", done=1, items=40)]
    output = ["-o", str(tmp_path / "x.csv")] if to_file else []

    result = _run("batch", "export", "bat_1", *output, "--url", URL)

    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "bat_1 is still running (1 of 40 items done)" in said
    assert f"voicepipe batch watch bat_1 --url {URL}" in said


def test_an_export_of_a_completed_batch_says_nothing_of_running(
    tmp_path: Path, fake: FakeClient
) -> None:
    result = _run("batch", "export", "bat_1", "-o", str(tmp_path / "x.csv"))

    assert result.exit_code == 0, result.output
    assert "running" not in result.stderr


def test_a_batch_named_twice_to_watch_is_counted_once(fake: FakeClient) -> None:
    # Before: "6 items: 6 succeeded" of a batch of 3, and two export lines for it.
    result = _run("batch", "watch", "bat_1", "bat_1")

    assert result.exit_code == 0, result.output
    assert "3 items: 3 succeeded" in result.stdout
    assert result.stdout.count("voicepipe batch export bat_1 ") == 1


def test_an_export_over_an_existing_file_says_it_replaced_it(
    tmp_path: Path, fake: FakeClient
) -> None:
    # Before: "wrote x.csv (19 bytes)" either way; Monday's results.csv, exported again
    # with Tuesday's batch by the same suggested command, went without a word.
    target = tmp_path / "results.csv"
    target.write_text("monday")

    fresh = _run("batch", "export", "bat_1", "-o", str(tmp_path / "new.csv"))
    again = _run("batch", "export", "bat_1", "-o", str(target))

    assert "replac" not in fresh.stderr
    assert f"wrote {target} (19 bytes), replacing the file that was there" in again.stderr
    help_text = " ".join(_run("batch", "export", "--help").output.split())
    assert "replaced if it exists" in help_text
