"""A task's exception, run as a worker runs it (Celery's tracer, then its request's failure
handling): neither Celery's log line nor the task-failed / task-retried events Flower shows
carry its text, where it may quote a transcript or a key."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery.app.trace import trace_task
from celery.canvas import Signature
from celery.contrib.testing.mocks import TaskMessage
from celery.worker.request import Request

import workers.app
from shared.exception_text import reference
from shared.logging import json_formatter, text_formatter
from shared.queues import DELIVER_TASK
from shared.task_failures import QuietTask, logged_as
from workers import webhooks

TRANSCRIPT = "Hi it's Priscilla Okafor, my insulin order number is 4155550188"
# Built in two parts, as test_settings does, so no scanner takes the fake for a real key.
KEY = "sk-ant-" + "api03-FAKEKEYfakekeyFAKEKEY0123456789"
SECRETS = ("Priscilla", "Okafor", "insulin", "4155550188", KEY)


class Events:
    """An event dispatcher that keeps what it is given to send (Flower reads these)."""

    enabled = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, type: str, **fields: Any) -> None:
        self.sent.append((type, fields))


def run_as_a_worker(name: str, args: list[Any]) -> Events:
    """The task ``name`` traced in this process as a pool child traces it, its outcome then
    handled as the worker's main process handles it."""
    app = workers.app.app
    events = Events()
    request = Request(TaskMessage(name, args=args), app=app, eventer=events, hostname="w@test")
    retval, failed, _, _ = trace_task(
        request.task,
        request.id,
        args,
        {},
        dict(request._request_dict),
        hostname="w@test",
        loader=app.loader,
        app=app,
    )
    if failed:
        request.on_failure(retval, return_ok=True)
    return events


@pytest.fixture
def logged() -> Iterator[list[str]]:
    """Each record as the text and the JSON formatter write it, when it is emitted."""
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.extend(f.format(record) for f in (text_formatter(), json_formatter()))

    handler = Keep(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield kept
    root.removeHandler(handler)
    root.setLevel(level)


def flower_sees(events: Events, kind: str) -> str:
    (fields,) = [fields for sent, fields in events.sent if sent == kind]
    return json.dumps(fields, default=str)


def broken_store() -> Any:
    raise ValueError(f"could not parse {TRANSCRIPT!r} sent with x-api-key {KEY}")


def test_a_webhook_delivery_that_raises_logs_and_tells_flower_its_kind_not_its_text(
    monkeypatch: pytest.MonkeyPatch, logged: list[str]
) -> None:
    monkeypatch.setattr(webhooks, "_store", broken_store)

    events = run_as_a_worker(DELIVER_TASK, ["whd_1"])

    lines = "\n".join(logged)
    failed = flower_sees(events, "task-failed")
    for secret in SECRETS:
        assert secret not in lines
        assert secret not in failed
    # What an operator goes on: the kind, the frame, and a reference the two share.
    assert "raised unexpected" in lines
    assert "ValueError" in failed
    assert "in broken_store" in lines
    (ref,) = set(re.findall(r"err_[0-9a-f]{16}", failed))
    assert ref in lines


@workers.app.app.task(name="tests.retry_after_a_quoting_failure", bind=True)  # type: ignore[untyped-decorator]
def retry_after_a_quoting_failure(self: Any) -> None:
    try:
        broken_store()
    except ValueError as exc:
        # As ingest's chunk does for an item that failed.
        raise self.retry(countdown=60, max_retries=None) from exc


@workers.app.app.task(name="tests.retry_with_a_quoting_exc", bind=True)  # type: ignore[untyped-decorator]
def retry_with_a_quoting_exc(self: Any) -> None:
    try:
        broken_store()
    except ValueError as exc:
        raise self.retry(exc=exc, countdown=60, max_retries=None) from None


@pytest.mark.parametrize(
    "name", ["tests.retry_after_a_quoting_failure", "tests.retry_with_a_quoting_exc"]
)
def test_a_retry_caused_by_a_quoting_exception_tells_neither_the_log_nor_flower_its_text(
    name: str, monkeypatch: pytest.MonkeyPatch, logged: list[str]
) -> None:
    # The retry's message is not sent: no broker here.
    monkeypatch.setattr(Signature, "apply_async", lambda *a, **k: None)

    events = run_as_a_worker(name, [])

    lines = "\n".join(logged)
    retried = flower_sees(events, "task-retried")
    for secret in SECRETS:
        assert secret not in lines
        assert secret not in retried
    assert "ValueError" in lines


@workers.app.app.task(name="tests.retry_after_logging_a_failure", bind=True)  # type: ignore[untyped-decorator]
def retry_after_logging_a_failure(self: Any) -> None:
    try:
        broken_store()
    except ValueError as exc:
        # As ingest's chunk does: the item's failure logged with its traceback, then a retry.
        ref = reference()
        logging.getLogger("tests.task").exception("item failed (reference %s)", ref)
        logged_as(exc, ref)
        raise self.retry(countdown=60, max_retries=None) from exc


def test_a_retry_whose_cause_the_task_logged_is_a_warning_naming_it_without_its_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Signature, "apply_async", lambda *a, **k: None)

    run_as_a_worker("tests.retry_after_logging_a_failure", [])

    (own,) = [r for r in caplog.records if r.name == "tests.task"]
    (ref,) = re.findall(r"err_[0-9a-f]{16}", own.getMessage())
    told = [r for r in caplog.records if r.name == "voicepipe.task"]
    assert [(r.levelno, r.exc_info) for r in told] == [(logging.WARNING, None)]
    assert ref in told[0].getMessage()


def test_a_retry_whose_cause_was_not_logged_is_a_warning_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Signature, "apply_async", lambda *a, **k: None)

    run_as_a_worker("tests.retry_after_a_quoting_failure", [])

    (told,) = [r for r in caplog.records if r.name == "voicepipe.task"]
    assert told.levelno == logging.WARNING
    assert told.exc_info is not None


def test_every_task_the_workers_run_hands_celery_only_what_may_be_told() -> None:
    ours = [task for name, task in workers.app.app.tasks.items() if name.startswith("voicepipe.")]

    # stt, llm, tts, ingest's five and the webhook delivery.
    assert len(ours) >= 9
    for task in ours:
        assert isinstance(task, QuietTask), task.name


def test_a_broker_error_reaches_celery_as_it_was_raised(
    monkeypatch: pytest.MonkeyPatch, logged: list[str]
) -> None:
    def broker_down() -> Any:
        raise redis.ConnectionError("Error 111 connecting to localhost:6390. Connection refused.")

    monkeypatch.setattr(webhooks, "_store", broker_down)

    events = run_as_a_worker(DELIVER_TASK, ["whd_1"])

    assert "Error 111 connecting to localhost:6390" in flower_sees(events, "task-failed")
