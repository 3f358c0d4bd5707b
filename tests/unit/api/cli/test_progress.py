"""The progress watch of batches: what ends it and what it rides out."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

import api.cli.progress
from api.cli.client import ApiClientError
from api.cli.progress import watch_batches


class Answers:
    """GET /v1/batches/{id}, answering each of ``answers`` in turn (an exception is raised)."""

    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)

    def batch(self, batch_id: str) -> dict[str, Any]:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _view(status: str, done: int) -> dict[str, Any]:
    return {
        "id": "bat_1",
        "status": status,
        "items": 2,
        "rejected": 0,
        "counts": {"succeeded": done},
        "running_by_stage": {"stt": 2 - done, "llm": 0, "tts": 0},
        "failed_by_code": {},
        "rejected_by_code": {},
        "eta_s": None,
    }


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.cli.progress, "POLL_S", 0.0)


@pytest.mark.parametrize(
    "passing",
    [
        ApiClientError(503, "broker_unavailable", "try again in a few seconds"),
        ApiClientError(502, "http_error", "Bad Gateway"),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ],
    ids=["broker stalled", "proxy", "api restarting"],
)
def test_a_broker_stall_or_a_restart_does_not_end_the_watch(passing: Exception) -> None:
    client = Answers(_view("running", 0), passing, passing, _view("completed", 2))

    views = watch_batches(client, ["bat_1"], out=io.StringIO())  # type: ignore[arg-type]

    assert views[0]["status"] == "completed"


def test_an_answer_that_is_a_refusal_ends_the_watch_at_once() -> None:
    gone = ApiClientError(404, "batch_not_found", "no batch bat_1")
    client = Answers(_view("running", 0), gone, _view("completed", 2))

    with pytest.raises(ApiClientError):
        watch_batches(client, ["bat_1"], out=io.StringIO())  # type: ignore[arg-type]


def test_a_batch_refused_at_the_first_poll_draws_no_bar() -> None:
    # `voicepipe batch watch bat_nope` drew an empty "items: |          | 0/? items" first.
    gone = ApiClientError(404, "batch_not_found", "No batch with the id bat_nope exists")
    shown = io.StringIO()

    with pytest.raises(ApiClientError):
        watch_batches(Answers(gone), ["bat_nope"], out=shown)  # type: ignore[arg-type]

    assert shown.getvalue() == ""


def test_into_a_log_rather_than_a_terminal_a_frame_is_written_only_when_the_counts_move() -> None:
    polls = 50
    unchanged = [_view("running", 0) for _ in range(polls)]
    client = Answers(*unchanged, _view("running", 1), _view("completed", 2))
    log = io.StringIO()  # what CI keeps of stderr: every redraw is a line there

    watch_batches(client, ["bat_1"], out=log)  # type: ignore[arg-type]

    frames = [frame for frame in log.getvalue().replace("\n", "\r").split("\r") if frame]
    assert len(frames) < polls / 2, frames
    assert any("0/2 items" in frame for frame in frames)
    assert any("1/2 items" in frame for frame in frames)
    assert "2/2 items" in frames[-1]


def test_the_bar_shows_only_the_stages_the_jobs_run() -> None:
    # `--stages stt,llm`: the bar had a "tts 0" column for a stage no job runs.
    view = {**_view("completed", 2), "options": {"stages": ["stt", "llm"]}}
    log = io.StringIO()

    watch_batches(Answers(view), ["bat_1"], out=log)  # type: ignore[arg-type]

    assert "stt 0 llm 0 |" in log.getvalue()
    assert "tts" not in log.getvalue()


def test_a_batch_canceled_while_watched_shows_its_canceled_items_on_the_bar() -> None:
    # The bar reached 36/36 with "failed 0 rejected 0", a finished run to the eye, when 35
    # of the 36 had been canceled.
    view = {**_view("canceled", 0), "counts": {"succeeded": 0, "canceled": 2}}
    view["running_by_stage"] = {"stt": 0, "llm": 0, "tts": 0}
    log = io.StringIO()

    watch_batches(Answers(view), ["bat_1"], out=log)  # type: ignore[arg-type]

    assert "2/2 items" in log.getvalue()
    assert "failed 0 rejected 0 canceled 2]" in log.getvalue()


def test_no_canceled_column_while_nothing_was_canceled() -> None:
    log = io.StringIO()

    watch_batches(Answers(_view("completed", 2)), ["bat_1"], out=log)  # type: ignore[arg-type]

    assert "canceled" not in log.getvalue()


def test_the_first_frame_shows_the_batch_size_the_first_poll_gave() -> None:
    # Into a log, a watch began with "0/? items" and "0%", then "0/2 items": a frame that
    # claimed the size was unknown when the answer that drew it said it.
    log = io.StringIO()

    watch_batches(Answers(_view("running", 0), _view("completed", 2)), ["bat_1"], out=log)  # type: ignore[arg-type]

    frames = [frame for frame in log.getvalue().replace("\n", "\r").split("\r") if frame]
    assert "/? items" not in " ".join(frames), frames
    assert "0/2 items" in frames[0]
