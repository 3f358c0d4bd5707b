"""`voicepipe submit` of many files, against a fake client: the names files are sent by, the
batches they are planned into, Ctrl-C during the upload, running the command again, and files
that cannot be read or vanish."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pytest

import api.cli.batch_commands
import api.cli.file_submission
import api.cli.progress
from api.cli.file_submission import plan_batches
from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client


def test_files_of_a_folder_are_sent_by_their_path_inside_it_so_same_names_differ(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path / "dup" / "a", ["x.wav"])
    _files(tmp_path / "dup" / "b", ["x.wav"])
    [alone] = _files(tmp_path / "elsewhere", ["y.wav"])

    result = _run("submit", str(tmp_path / "dup"), str(alone), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["a/x.wav", "b/x.wav", "y.wav"]]


def test_a_glob_that_matches_nothing_is_a_usage_error(tmp_path: Path, fake: FakeClient) -> None:
    result = _run("submit", str(tmp_path / "*.wav"))

    assert result.exit_code == 2
    assert "nothing matches" in result.output
    assert fake.batches == []


def test_files_over_max_parts_go_as_the_fewest_batches_and_it_says_so(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, [f"{n}.wav" for n in range(5)])

    result = _run("submit", str(tmp_path), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["0.wav", "1.wav"], ["2.wav", "3.wav"], ["4.wav"]]
    assert "as 3 batches" in result.output
    assert result.stdout.split() == ["bat_1", "bat_2", "bat_3"]


def test_batches_are_split_by_total_size_keeping_file_order(tmp_path: Path) -> None:
    files = _files(tmp_path, ["a.wav", "b.wav", "c.wav"], size=3000)
    part = 3000 + api.cli.file_submission.PART_OVERHEAD + 3 * len("a.wav")

    groups = plan_batches(files, max_parts=100, max_bytes=2 * part + 100, reserved=100)

    assert [[p.name for p in g] for g in groups] == [["a.wav", "b.wav"], ["c.wav"]]
    with pytest.raises(click.ClickException, match="larger than one batch"):
        plan_batches(files, max_parts=100, max_bytes=part, reserved=100)


def test_ctrl_c_during_an_upload_names_the_batches_already_made_and_exits_130(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, [f"{n}.wav" for n in range(5)])
    fake.interrupt_at = 3

    result = _run("submit", str(tmp_path))

    assert result.exit_code == 130, result.output
    assert "voicepipe batch watch bat_1 bat_2" in result.output
    assert "Running the same command again, on the same files" in result.output
    assert "sends only the rest" in result.output
    assert "Aborted" not in result.output


def test_the_same_command_run_again_sends_each_batch_with_the_same_key(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server gives back the batch a key already made: a run stopped after an upload
    # went out, then run again, submits nothing twice.
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, [f"{n}.wav" for n in range(3)])

    _run("submit", str(tmp_path), "--no-wait", "--stages", "stt")
    _run("submit", str(tmp_path), "--no-wait", "--stages", "stt")
    (tmp_path / "2.wav").write_bytes(b"changed since")
    _run("submit", str(tmp_path), "--no-wait", "--stages", "stt")
    _run("submit", str(tmp_path), "--no-wait", "--stages", "stt", "--again")

    first, second, changed, again = (fake.keys[i : i + 2] for i in range(0, 8, 2))
    assert None not in fake.keys
    assert second == first
    assert changed[0] == first[0]
    assert changed[1] != first[1]
    assert set(again).isdisjoint(fake.keys[:6])


def test_a_file_that_cannot_be_read_stops_the_submission_before_anything_is_sent(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path, ["a.wav"])
    (tmp_path / "gone.wav").symlink_to(tmp_path / "nowhere.wav")
    (tmp_path / "calls.wav").mkdir()  # a folder named like a recording is walked, not sent
    _files(tmp_path / "calls.wav", ["inside.wav"])

    result = _run("submit", str(tmp_path), "--no-wait")

    assert result.exit_code == 1, result.output
    assert "cannot read 1 of the 3 file(s)" in result.output
    assert "gone.wav" in result.output
    assert "Traceback" not in result.output
    assert fake.batches == []


def test_a_file_removed_while_submitting_is_named_with_the_batches_already_made(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "1")
    _files(tmp_path, ["a.wav", "b.wav"])
    submit = fake.submit_batch

    def then_remove(paths: Sequence[Path], **kwargs: Any) -> dict[str, Any]:
        made = submit(paths, **kwargs)
        (tmp_path / "b.wav").unlink(missing_ok=True)
        return made

    monkeypatch.setattr(fake, "submit_batch", then_remove)

    result = _run("submit", str(tmp_path), "--no-wait")

    assert result.exit_code == 1, result.output
    assert "b.wav" in result.output
    assert "Already submitted: bat_1" in result.output
    assert "Traceback" not in result.output


def test_a_server_taking_fewer_files_than_planned_gets_halves_the_same_on_every_run(
    tmp_path: Path, fake: FakeClient
) -> None:
    fake.server_max_parts = 2
    _files(tmp_path, [f"{n}.wav" for n in range(5)])

    first = _run("submit", str(tmp_path), "--no-wait")
    keys = list(fake.keys)
    again = _run("submit", str(tmp_path), "--no-wait")

    assert first.exit_code == 0, first.output
    assert fake.batches[:3] == [["0.wav", "1.wav"], ["2.wav"], ["3.wav", "4.wav"]]
    assert "sending these 5 files as two batches" in first.output
    assert again.exit_code == 0, again.output
    assert fake.keys[3:] == keys


def test_a_file_reached_twice_by_another_path_or_a_link_is_sent_once(
    tmp_path: Path, fake: FakeClient
) -> None:
    [wav, _] = _files(tmp_path / "in", ["a.wav", "b.wav"])
    (tmp_path / "in" / "latest.wav").symlink_to(wav)

    result = _run("submit", str(tmp_path / "in"), str(wav.resolve()), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["a.wav", "b.wav"]]


def test_a_batch_of_one_file_is_uploaded_as_one_file(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A split leaving one file in the last batch said "Uploading 1 files".
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, ["a.wav", "b.wav", "c.wav"])

    result = _run("submit", str(tmp_path), "--no-wait")

    assert "Uploading 2 files, 0.0 MB (batch 1 of 2)" in result.stderr
    assert "Uploading 1 file, 0.0 MB (batch 2 of 2)" in result.stderr
