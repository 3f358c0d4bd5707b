"""`voicepipe submit` / `batch` / `fetch` argument handling, against a fake client."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import click
import pytest
from click.testing import CliRunner, Result

import api.cli.batch_commands
import api.cli.file_submission
import api.cli.progress
from api.cli import main
from api.cli.client import ApiClientError
from api.cli.file_submission import plan_batches
from shared.settings import reset_settings_cache


def _view(batch_id: str, *, done: int = 0, items: int = 3, **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": batch_id,
        "status": "completed" if done == items else "running",
        "items": items,
        "rejected": 0,
        "counts": {"succeeded": done},
        "running_by_stage": {"stt": items - done, "llm": 0, "tts": 0},
        "failed_by_code": {},
        "rejected_by_code": {},
        "progress": done / items,
        "eta_s": None if done == items else 4.0,
    }
    view.update(extra)
    return view


class FakeClient:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.views: list[dict[str, Any] | BaseException] = []
        self.exports: list[tuple[str, str, Path | None]] = []
        self.error: ApiClientError | None = None
        self.keys: list[str | None] = []
        self.interrupt_at: int | None = None  # the upload (from 1) stopped by Ctrl-C
        self.server_max_parts = 1000

    def __enter__(self) -> FakeClient:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def submit_batch(
        self,
        paths: Sequence[Path],
        names: Mapping[Path, str] | None = None,
        idempotency_key: str | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """Records each file by the name it is sent by, and the key it is sent with."""
        if self.interrupt_at == len(self.batches) + 1:
            raise KeyboardInterrupt
        if len(paths) > self.server_max_parts:
            raise ApiClientError(400, "too_many_parts", "at most 2 'file' parts")
        for path in paths:
            path.open("rb").close()  # as the real client opens every file
        self.batches.append([(names or {}).get(p, p.name) for p in paths])
        self.keys.append(idempotency_key)
        return {"id": f"bat_{len(self.batches)}"}

    def batch(self, batch_id: str) -> dict[str, Any]:
        item = self.views.pop(0) if len(self.views) > 1 else self.views[0]
        if isinstance(item, BaseException):
            raise item
        return {**item, "id": batch_id}

    def export_batch(self, batch_id: str, fmt: str, dest: Path | IO[bytes]) -> int:
        self.exports.append((batch_id, fmt, dest if isinstance(dest, Path) else None))
        if not isinstance(dest, Path):
            dest.write(b"item_index,status\r\n")
        return 19

    def job(self, job_id: str) -> dict[str, Any]:
        if self.error:
            raise self.error
        return {"id": job_id, "results": {}}

    def submit(self, path: Path, name: str | None = None, **options: Any) -> dict[str, Any]:
        self.batches.append([name or path.name])
        return {"id": "job_1", "stages": ["stt", "llm", "tts"]}

    def wait(self, job_ids: Sequence[str], **_: Any) -> dict[str, dict[str, Any]]:
        raise KeyboardInterrupt


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClient]:
    client = FakeClient()
    client.views = [_view("bat_1", done=3)]
    monkeypatch.setattr(api.cli.batch_commands, "open_client", lambda url, key: client)
    monkeypatch.setattr(api.cli.progress, "POLL_S", 0.0)
    reset_settings_cache()
    yield client
    reset_settings_cache()


def _files(folder: Path, names: Sequence[str], size: int = 10) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in names]
    for path in paths:
        path.write_bytes(b"x" * size)
    return paths


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


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


@pytest.mark.parametrize(
    ("args", "fmt"),
    [
        (["-o", "out.csv"], "csv"),
        (["-o", "out.JSONL"], "jsonl"),
        (["-o", "out.csv", "--format", "jsonl"], "jsonl"),
    ],
)
def test_export_takes_its_format_from_the_file_name(
    tmp_path: Path, fake: FakeClient, args: list[str], fmt: str
) -> None:
    with CliRunner().isolated_filesystem(tmp_path):
        result = CliRunner().invoke(main, ["batch", "export", "bat_1", *args])

    assert result.exit_code == 0, result.output
    assert fake.exports == [("bat_1", fmt, Path(args[1]))]


def test_export_without_a_file_streams_csv_to_stdout(fake: FakeClient) -> None:
    result = _run("batch", "export", "bat_1")

    assert result.exit_code == 0, result.output
    assert fake.exports == [("bat_1", "csv", None)]
    assert result.stdout_bytes == b"item_index,status\r\n"


def test_export_refuses_a_name_it_cannot_tell_the_format_of(fake: FakeClient) -> None:
    result = _run("batch", "export", "bat_1", "-o", "results.xlsx")

    assert result.exit_code == 2
    assert "name it .csv or .jsonl" in result.output
    assert fake.exports == []


def test_ctrl_c_while_watching_leaves_the_batch_and_prints_how_to_resume(
    tmp_path: Path, fake: FakeClient
) -> None:
    fake.views = [_view("x", done=1), KeyboardInterrupt(), _view("x", done=3)]
    _files(tmp_path, ["a.wav", "b.wav"])

    result = _run("submit", str(tmp_path), "--url", "http://api.test:9000")

    assert result.exit_code == 130, result.output
    assert "voicepipe batch watch bat_1 --url http://api.test:9000" in result.output
    assert "Aborted" not in result.output


def test_ctrl_c_while_following_one_job_leaves_it_running_and_says_how_to_see_and_fetch_it(
    tmp_path: Path, fake: FakeClient
) -> None:
    [wav] = _files(tmp_path, ["a.wav"])

    result = _run("submit", str(wav), "--url", "http://api.test:9000")

    assert result.exit_code == 130, result.output
    assert "voicepipe status job_1 --url http://api.test:9000" in result.output
    assert "voicepipe fetch job_1 --wait --url http://api.test:9000" in result.output
    assert "Aborted" not in result.output


def test_watch_ends_with_a_summary_and_fails_when_items_failed_or_were_rejected(
    fake: FakeClient,
) -> None:
    fake.views = [
        _view("x", done=1, items=4),
        _view(
            "x",
            done=2,
            items=4,
            status="completed",
            rejected=1,
            counts={"succeeded": 2, "failed": 1},
            failed_by_code={"stt.internal": 1},
            rejected_by_code={"unsupported_format": 1},
        ),
    ]

    result = _run("batch", "watch", "bat_7")

    assert result.exit_code == 1, result.output
    assert "4/4" in result.output
    assert "4 items: 2 succeeded, 1 failed, 1 rejected" in result.output
    assert "failed by code: stt.internal 1" in result.output
    assert "rejected by code: unsupported_format 1" in result.output


def test_a_batch_whose_items_all_succeeded_ends_with_its_id_and_how_to_export_it(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path, ["a.wav", "b.wav"])

    result = _run("submit", "--stages", "stt", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "3 items: 3 succeeded, 0 failed, 0 rejected" in result.output
    assert "voicepipe batch export bat_1 -o results.csv" in result.stdout


def test_status_prints_the_batch_as_json(fake: FakeClient) -> None:
    result = _run("batch", "status", "bat_1")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == {"succeeded": 3}


def test_fetch_reports_the_api_code_and_message(tmp_path: Path, fake: FakeClient) -> None:
    fake.error = ApiClientError(404, "job_not_found", "Job job_x not found.")

    result = _run("fetch", "job_x", "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert "job_not_found: Job job_x not found." in result.output
    assert not (tmp_path / "out").exists()


def test_ctrl_c_during_an_upload_names_the_batches_already_made_and_exits_130(
    tmp_path: Path, fake: FakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOICEPIPE_BATCHES__MAX_PARTS", "2")
    _files(tmp_path, [f"{n}.wav" for n in range(5)])
    fake.interrupt_at = 3

    result = _run("submit", str(tmp_path))

    assert result.exit_code == 130, result.output
    assert "voicepipe batch watch bat_1 bat_2" in result.output
    assert "Running the same command again sends only the rest" in result.output
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
