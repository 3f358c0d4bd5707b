"""`voicepipe batch status|watch|export` and `voicepipe fetch`, against a fake client: the
export's format, Ctrl-C while following a batch or a job, the summary a watch ends with, and an
API refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.cli.client import ApiClientError
from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, _view, fake

__all__ = ["fake"]  # the fixture, from fake_batch_client


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
