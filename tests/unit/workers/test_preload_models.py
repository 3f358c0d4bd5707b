"""What a worker process loads as it starts, so its first job does not pay for it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shared.language import known_names
from shared.models import Stage
from workers import app as worker_app


class _NoModel:
    def load(self) -> None:
        pass


@pytest.mark.parametrize(
    ("queue", "loaded"), [(Stage.STT, True), (Stage.LLM, True), (Stage.TTS, False)]
)
def test_a_worker_that_redacts_loads_the_known_names_at_start(
    monkeypatch: pytest.MonkeyPatch, queue: Stage, loaded: bool
) -> None:
    # Before, the first job that redacted a person's name loaded them (85-200 ms): the stt
    # stage redacts the transcript, the llm stage the reply (and a typed text's input).
    queues = worker_app.app.amqp.queues
    monkeypatch.setattr(queues, "_consume_from", {queue.value: queues[queue.value]})
    monkeypatch.setattr(worker_app, "get_provider", lambda *_: _NoModel())
    monkeypatch.setattr(worker_app, "start_publishing", lambda: None)
    known_names._lists.cache_clear()

    worker_app.preload_models()

    assert known_names._lists.cache_info().currsize == (1 if loaded else 0)


@pytest.mark.parametrize(
    ("pool", "loaded"),
    [
        ("celery.concurrency.thread", True),
        ("celery.concurrency.gevent", True),
        # A prefork pool's children load them as they start (preload_models above), not
        # the parent that forks them.
        ("celery.concurrency.prefork", False),
    ],
)
def test_an_llm_worker_with_a_thread_pool_loads_the_known_names_at_start(
    pool: str, loaded: bool
) -> None:
    # The llm pool is threads by default: no child process starts, so worker_process_init
    # never fires and preload_models never ran there.
    worker = SimpleNamespace(
        app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(consume_from={"llm": 1}))),
        pool_cls=type("TaskPool", (), {"__module__": pool}),
    )
    step = worker_app.NamesAtStart(worker)
    known_names._lists.cache_clear()

    assert worker_app.NamesAtStart in worker_app.app.steps["worker"]
    assert step.include_if(worker)
    step.start(worker)

    assert known_names._lists.cache_info().currsize == (1 if loaded else 0)
