"""`voicepipe batch cancel` of a batch already canceled: the API refuses the second cancel with
409 not_cancelable, which the command read as a failure (exit 1) while `voicepipe cancel` of a
job already canceled says so and exits 0. Either way the batch ends up as the caller wanted.
A completed batch had ended already, as a finished job had: said so, with what to do
instead (retry its failed jobs, or export its results), exit 0 as for a job.
The real client, over a fake transport answering as the API does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from api.cli import main
from tests.unit.api.cli.mock_server import serve

CANCELED = (
    "Batch bat_1 was canceled: there is nothing left to cancel, and its jobs do not run again. "
    "To run its items again, submit them as a new batch."
)
COMPLETED = (
    "Batch bat_1 has completed: there is nothing left to cancel. "
    "To run its 2 failed jobs again, POST /v1/batches/bat_1/retry."
)


def _view(status: str, counts: dict[str, int] | None = None) -> dict[str, Any]:
    if counts is None:
        counts = {"canceled": 3} if status == "canceled" else {"succeeded": 1, "failed": 2}
    return {
        "id": "bat_1",
        "status": status,
        "items": 3,
        "rejected": 0,
        "progress": 1.0,
        "eta_s": None,
        "counts": counts,
        "running_by_stage": {},
        "failed_by_code": {},
        "rejected_by_code": {},
    }


def _serve(
    monkeypatch: pytest.MonkeyPatch,
    status: str,
    message: str,
    counts: dict[str, int] | None = None,
) -> list[str]:
    requests: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            error = {"code": "not_cancelable", "message": message}
            return httpx.Response(409, json={"error": error})
        return httpx.Response(200, json=_view(status, counts))

    serve(monkeypatch, answer)
    return requests


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_batch_cancel_of_a_batch_already_canceled_says_so_and_exits_0(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _serve(monkeypatch, "canceled", CANCELED)

    result = _run("batch", "cancel", "bat_1")

    assert result.exit_code == 0, result.output
    assert result.output == "bat_1 was already canceled: nothing to cancel.\n"


def test_batch_cancel_of_a_completed_batch_says_it_had_ended_and_exits_0_as_a_jobs_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _serve(monkeypatch, "completed", COMPLETED)

    result = _run("batch", "cancel", "bat_1")

    assert result.exit_code == 0, result.output
    assert result.output == (
        "bat_1 had already completed (1 succeeded, 2 failed): nothing to cancel.\n"
        "To run its 2 failed jobs again: voicepipe batch retry bat_1\n"
    )


def test_batch_cancel_of_a_completed_batch_without_failures_names_its_export(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = "Batch bat_1 has completed: there is nothing left to cancel."
    _serve(monkeypatch, "completed", message, {"succeeded": 3})

    result = _run("batch", "cancel", "bat_1")

    assert result.exit_code == 0, result.output
    assert "had already completed (3 succeeded): nothing to cancel." in result.output
    assert "voicepipe batch export bat_1 -o results.csv" in result.output


def test_batch_cancel_of_a_completed_batch_names_commands_for_the_url_it_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _serve(monkeypatch, "completed", COMPLETED)

    result = _run("batch", "cancel", "bat_1", "--url", "http://api.test:9000")

    assert result.exit_code == 0, result.output
    assert "voicepipe batch retry bat_1 --url http://api.test:9000" in result.output
