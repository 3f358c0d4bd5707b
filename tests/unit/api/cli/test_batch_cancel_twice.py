"""`voicepipe batch cancel` of a batch already canceled: the API refuses the second cancel with
409 not_cancelable, which the command read as a failure (exit 1) while `voicepipe cancel` of a
job already canceled says so and exits 0. Either way the batch ends up as the caller wanted.
A completed batch is still refused: it was not canceled, and the API says what to do instead.
The real client, over a fake transport answering as the API does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

import api.cli.batch_commands
from api.cli import main
from api.cli.client import VoicePipeClient

CANCELED = (
    "Batch bat_1 was canceled: there is nothing left to cancel, and its jobs do not run again. "
    "To run its items again, submit them as a new batch."
)
COMPLETED = (
    "Batch bat_1 has completed: there is nothing left to cancel. "
    "To run its 2 failed jobs again, POST /v1/batches/bat_1/retry."
)


def _view(status: str) -> dict[str, Any]:
    return {
        "id": "bat_1",
        "status": status,
        "items": 3,
        "rejected": 0,
        "progress": 1.0,
        "eta_s": None,
        "counts": {"canceled": 3} if status == "canceled" else {"succeeded": 1, "failed": 2},
        "running_by_stage": {},
        "failed_by_code": {},
        "rejected_by_code": {},
    }


def _serve(monkeypatch: pytest.MonkeyPatch, status: str, message: str) -> list[str]:
    requests: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            error = {"code": "not_cancelable", "message": message}
            return httpx.Response(409, json={"error": error})
        return httpx.Response(200, json=_view(status))

    def open_client(url: str | None, api_key: str | None) -> VoicePipeClient:
        client = VoicePipeClient("http://api.test")
        transport = httpx.MockTransport(answer)
        client.http = httpx.Client(base_url="http://api.test", transport=transport)
        return client

    monkeypatch.setattr(api.cli.batch_commands, "open_client", open_client)
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


def test_batch_cancel_of_a_completed_batch_is_still_refused_with_the_apis_advice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _serve(monkeypatch, "completed", COMPLETED)

    result = _run("batch", "cancel", "bat_1")

    assert result.exit_code == 1
    assert "POST /v1/batches/bat_1/retry" in result.output
    assert "already canceled" not in result.output
