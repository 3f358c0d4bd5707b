"""Which of a folder's files `voicepipe submit` sends, and what it says of the others."""

from __future__ import annotations

from pathlib import Path

from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client


def test_a_quoted_glob_is_expanded_and_a_folder_keeps_only_audio(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path / "in", ["b.wav", "a.wav", "c.mp3", "notes.txt"])
    _files(tmp_path / "more", ["d.ogg", "readme.md", "e.AMR", "f.3gp"])

    result = _run("submit", str(tmp_path / "in" / "*.wav"), str(tmp_path / "more"), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["a.wav", "b.wav", "d.ogg", "e.AMR", "f.3gp"]]
    assert result.stdout.split() == ["bat_1"]


def test_files_a_folder_walk_leaves_out_are_named_so_the_counts_can_be_squared(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path / "in", ["a.wav", "notes.txt", ".DS_Store"])
    _files(tmp_path / "in" / "sub", ["b.mp3", "call.raw", "VM.GSM"])

    result = _run("submit", str(tmp_path / "in"), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["a.wav", "sub/b.mp3"]]
    # Before, 5 files in, "2 items" out, and not a word of the other 3. Hidden files (a
    # Finder's .DS_Store) are no one's recordings and go unsaid.
    assert (
        "Left out 3 files not named as audio (by extension): notes.txt, sub/VM.GSM, "
        "sub/call.raw. Send mp3, wav, ogg/opus, webm, flac, m4a/aac/mp4 or amr/3gp; "
        "convert others first." in " ".join(result.stderr.split())
    )
    assert result.stdout.split() == ["bat_1"]


def test_paths_with_no_audio_name_the_extensions_taken(tmp_path: Path, fake: FakeClient) -> None:
    _files(tmp_path / "in", ["notes.txt", "call.raw"])

    result = _run("submit", str(tmp_path / "in"), "--no-wait")

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "no audio files found (by extension)" in said
    for suffix in (".mp3", ".wav", ".m4a", ".amr", ".3gp"):
        assert suffix in said
    assert fake.batches == []


def test_a_folder_walk_leaves_out_hidden_audio_files_and_names_them(
    tmp_path: Path, fake: FakeClient
) -> None:
    # A USB stick a Mac has written to: an AppleDouble ._ file beside each recording, and
    # the recordings deleted into its trash. Before, both were sent as recordings: the ._
    # one rejected (the run exited 1), the deleted one transcribed.
    _files(tmp_path / "in", ["call.wav", "._call.wav", ".DS_Store"])
    _files(tmp_path / "in" / ".Trashes" / "501", ["deleted.wav"])

    result = _run("submit", str(tmp_path / "in"), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["call.wav"]]
    said = " ".join(result.stderr.split())
    assert "Left out 2 hidden files named as audio" in said
    assert ".Trashes/501/deleted.wav, ._call.wav" in said
    assert ".DS_Store" not in said


def test_a_hidden_file_given_by_its_own_path_is_sent(tmp_path: Path, fake: FakeClient) -> None:
    [hidden, _] = _files(tmp_path / ".stick", [".late call.wav", "other.wav"])

    result = _run("submit", str(hidden), str(tmp_path / ".stick"), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [[".late call.wav", "other.wav"]]


def test_a_file_reached_twice_is_sent_once_and_said_to_be(tmp_path: Path, fake: FakeClient) -> None:
    [call, _] = _files(tmp_path / "in", ["call.wav", "other.wav"])
    (tmp_path / "in" / "link.wav").symlink_to(call)

    result = _run("submit", str(tmp_path / "in"), "--no-wait")

    assert result.exit_code == 0, result.output
    assert fake.batches == [["call.wav", "other.wav"]]
    said = " ".join(result.stderr.split())
    assert "Sent once: 1 file reached a second time" in said
    assert "link.wav (the same file as call.wav)" in said


def test_copies_of_one_recording_under_two_names_are_sent_and_said_to_be(
    tmp_path: Path, fake: FakeClient
) -> None:
    [call, _] = _files(tmp_path / "in", ["call.wav", "other.wav"], size=10)
    (tmp_path / "in" / "call (copy).wav").write_bytes(call.read_bytes())
    (tmp_path / "in" / "same size.wav").write_bytes(b"y" * 10)
    _files(tmp_path / "in", ["empty.wav", "empty too.wav"], size=0)

    result = _run("submit", str(tmp_path / "in"), "--no-wait")

    assert result.exit_code == 0, result.output
    assert len(fake.batches[0]) == 6
    said = " ".join(result.stderr.split())
    # call.wav, other.wav and call (copy).wav are all b"x" * 10: one recording, three names.
    assert "2 files are copies of another given (the same bytes)" in said
    assert "call (copy).wav = call.wav = other.wav." in said
    assert "same size.wav" not in said
    assert "empty" not in said
