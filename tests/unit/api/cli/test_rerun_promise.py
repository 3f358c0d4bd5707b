"""What `voicepipe submit` promises of running it again is what its keys deliver: a batch is
known by its files, so the promise holds for the same files, not for a folder changed since
(a file added, or an empty one removed after the first run named it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client


def test_a_folder_changed_since_is_sent_as_new_batches(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    [empty, *_] = _files(tmp_path, ["a.wav", "b.wav", "c.wav", "d.wav"])
    _run("submit", str(tmp_path), "--no-wait")
    empty.unlink()

    _run("submit", str(tmp_path), "--no-wait")

    first, second = fake.keys[:2], fake.keys[2:]
    assert not set(first) & set(second)  # b.wav, c.wav and d.wav were sent again


def test_help_and_ctrl_c_promise_no_second_submission_only_for_the_same_files(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: "files already taken are not submitted twice", said of any run again.
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, [f"{n}.wav" for n in range(5)])
    fake.interrupt_at = 2

    helped = " ".join(_run("submit", "--help").output.split())
    stopped = " ".join(_run("submit", str(tmp_path)).output.split())

    assert "files already taken are not submitted twice" not in helped
    assert "with the same files (none added, removed or changed)" in helped
    assert "on the same files (none added, removed or changed since" in stopped


def test_ctrl_c_during_an_upload_says_the_batch_under_way_may_have_been_made(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C while batch 2's answer was awaited: the server made it, and the run named only
    # batch 1 as submitted, so the user took batch 2's files as not sent.
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, [f"{n}.wav" for n in range(5)])
    fake.interrupt_at = 2

    said = " ".join(_run("submit", str(tmp_path)).stderr.split())

    assert "Batches already submitted, which keep running: bat_1" in said
    assert (
        "The upload of batch 2 of 3 was under way: the server may have made it all the same, "
        "and running the same command again gets it back if so." in said
    )
