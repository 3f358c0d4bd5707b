"""What a worker process loads as it starts, so its first job does not pay for it."""

from __future__ import annotations

import pytest

from shared.language import known_names
from shared.models import Stage
from workers import app as worker_app


class _NoModel:
    def load(self) -> None:
        pass


@pytest.mark.parametrize(("queue", "loaded"), [(Stage.STT, True), (Stage.LLM, False)])
def test_an_stt_worker_loads_the_known_names_at_start(
    monkeypatch: pytest.MonkeyPatch, queue: Stage, loaded: bool
) -> None:
    # Before, the first job that redacted a person's name loaded them (85-200 ms).
    queues = worker_app.app.amqp.queues
    monkeypatch.setattr(queues, "_consume_from", {queue.value: queues[queue.value]})
    monkeypatch.setattr(worker_app, "get_provider", lambda *_: _NoModel())
    known_names._lists.cache_clear()

    worker_app.preload_models()

    assert known_names._lists.cache_info().currsize == (1 if loaded else 0)
