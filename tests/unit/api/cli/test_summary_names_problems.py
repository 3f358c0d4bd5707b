"""The summary a followed batch ends with names the items that failed or were rejected, by
the name each was sent by and why, not only their count by code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.cli.answers import ApiClientError
from tests.unit.api.cli.fake_batch_client import FakeClient, _files, _run, _view, fake
from tests.unit.api.cli.mock_server import serve

__all__ = ["fake"]  # the fixture, from fake_batch_client

EMPTY = "The file is empty (0 bytes)."


def _row(n: int, source: str, status: str, code: str | None = None) -> dict[str, Any]:
    message = EMPTY if code else None
    return {"item_index": n, "source": source, "status": status, "failure_code": code,
            "failure_message": message}  # fmt: skip


def _ended(rejected: int, succeeded: int) -> dict[str, Any]:
    return _view(
        "bat_1",
        done=rejected + succeeded,
        items=rejected + succeeded,
        status="completed",
        rejected=rejected,
        counts={"succeeded": succeeded},
        rejected_by_code={"empty_file": rejected},
    )


def test_a_summary_names_each_rejected_file_with_its_code_and_why(
    tmp_path: Path, fake: FakeClient
) -> None:
    _files(tmp_path, ["call.wav", "empty.wav"])
    fake.views = [_ended(rejected=1, succeeded=1)]
    fake.rows = [_row(0, "call.wav", "succeeded"), _row(1, "empty.wav", "rejected", "empty_file")]

    result = _run("submit", "--stages", "stt", str(tmp_path))

    assert result.exit_code == 1, result.output
    assert f"  empty.wav: rejected, empty_file: {EMPTY}" in result.stdout
    assert "call.wav:" not in result.stdout


def test_a_summary_names_ten_problems_and_counts_the_rest(fake: FakeClient) -> None:
    fake.views = [_ended(rejected=12, succeeded=0)]
    fake.rows = [_row(n, f"e{n}.wav", "rejected", "empty_file") for n in range(12)]

    result = _run("batch", "watch", "bat_1")

    assert result.exit_code == 1, result.output
    # One code and message: said once, after the names.
    names = ", ".join(f"e{n}.wav" for n in range(10))
    assert f"  {names}: rejected, empty_file: {EMPTY}\n" in result.stdout
    assert "e10.wav" not in result.stdout
    assert "… and 2 more (all of them in the export)" in result.stdout


def test_the_rows_are_read_from_the_jsonl_export_and_a_refusal_names_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.path}?{request.url.query.decode()}")
        if request.url.path.endswith("/results"):
            if "bat_2" in request.url.path:
                return httpx.Response(503, json={"error": {"code": "x", "message": "y"}})
            lines = [json.dumps(_row(0, "empty.wav", "rejected", "empty_file"))]
            headers = {"content-type": "application/x-ndjson"}
            return httpx.Response(200, text="\n".join(lines) + "\n", headers=headers)
        view = _ended(rejected=1, succeeded=2)
        return httpx.Response(200, json={**view, "id": request.url.path.split("/")[-1]})

    serve(monkeypatch, answer)

    named = _run("batch", "watch", "bat_1")
    refused = _run("batch", "watch", "bat_2")

    assert "/v1/batches/bat_1/results?format=jsonl" in asked
    assert f"  empty.wav: rejected, empty_file: {EMPTY}" in named.stdout
    assert "rejected by code: empty_file 1" in refused.stdout
    assert "empty.wav" not in refused.stdout


def test_the_rows_are_read_only_as_far_as_the_last_problem_and_a_batch_without_any_not_at_all(
    monkeypatch: pytest.MonkeyPatch, fake: FakeClient
) -> None:
    # Before, fewer than ten problems streamed each batch's whole export, every batch's.
    views = {"bat_1": _ended(rejected=2, succeeded=998), "bat_2": _ended(rejected=0, succeeded=5)}
    read: dict[str, int] = {}

    def rows(batch_id: str) -> Iterator[dict[str, Any]]:
        for n in range(1000):
            read[batch_id] = read.get(batch_id, 0) + 1
            yield _row(n, f"c{n}.wav", "rejected" if n in (3, 7) else "succeeded", "empty_file")

    monkeypatch.setattr(fake, "result_rows", rows)
    monkeypatch.setattr(fake, "batch", lambda batch_id: {**views[batch_id], "id": batch_id})

    result = _run("batch", "watch", "bat_1", "bat_2")

    assert "  c3.wav, c7.wav: rejected, empty_file:" in result.stdout
    assert read == {"bat_1": 8}


def test_rows_that_cannot_be_read_are_said_to_be_not_left_as_a_blank_line(
    monkeypatch: pytest.MonkeyPatch, fake: FakeClient
) -> None:
    fake.views = [_ended(rejected=2, succeeded=1)]

    def refusing(batch_id: str) -> Iterator[dict[str, Any]]:
        raise ApiClientError(503, "storage_unavailable", "Object storage stopped answering")
        yield {}

    monkeypatch.setattr(fake, "result_rows", refusing)

    result = _run("batch", "watch", "bat_1")

    assert "\n\n" not in result.stdout
    said = "  Which 2 items: the export below lists them (not read here: storage_unavailable"
    assert said in result.stdout
