"""A batch being canceled has no time left to estimate: its jobs are ending, not running.
The bar showed "ETA 0:04" at 64% during a cancel, the server's estimate of the work that
the cancel had just called off."""

from __future__ import annotations

import io

from api.cli.progress import watch_batches
from tests.unit.api.cli.fake_batch_client import FakeClient, _run, _view, fake
from tests.unit.api.cli.test_progress import Answers

__all__ = ["fake"]  # the fixture, from fake_batch_client


def test_the_bar_shows_no_eta_once_the_batch_is_being_canceled() -> None:
    canceling = _view("bat_1", done=1, status="canceling", eta_s=4.0)
    canceled = _view("bat_1", done=1, status="canceled", eta_s=None)
    canceled["counts"] = {"succeeded": 1, "canceled": 2}
    log = io.StringIO()

    watch_batches(Answers(canceling, canceled), ["bat_1"], out=log)  # type: ignore[arg-type]

    assert "ETA" not in log.getvalue()


def test_the_bar_still_shows_the_eta_of_a_batch_that_runs() -> None:
    log = io.StringIO()
    running = _view("bat_1", done=1, eta_s=4.0)

    watch_batches(Answers(running, _view("bat_1", done=3)), ["bat_1"], out=log)  # type: ignore[arg-type]

    assert "ETA 0:04" in log.getvalue()


def test_batch_status_human_of_a_batch_being_canceled_has_no_eta(fake: FakeClient) -> None:
    fake.views = [_view("bat_1", done=1, status="canceling", eta_s=4.0)]

    result = _run("batch", "status", "bat_1", "--human")

    assert result.exit_code == 0, result.output
    assert "bat_1: canceling" in result.output
    assert "ETA" not in result.output
