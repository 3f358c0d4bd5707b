"""Consumer step: this worker notes the queues it consumes (see ``shared.pool_liveness``).

On the consumer's event loop, like Celery's own event flush (shared.event_batching): no
thread in a prefork parent, and the queues read are the task consumer's own, so a queue
cancelled by remote control stops being noted.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import bootsteps
from celery.worker.consumer.tasks import Tasks

from shared.pool_liveness import BEAT_S, PoolLiveness
from shared.redis_keys import connect
from shared.settings import get_settings

log = logging.getLogger("voicepipe.worker")


class PoolHeartbeat(bootsteps.StartStopStep):  # type: ignore[misc]
    requires = (Tasks,)

    def __init__(self, c: Any, **kwargs: Any) -> None:
        super().__init__(c, **kwargs)
        self._timer: Any = None
        self._stop = threading.Event()
        self._noted: set[str] = set()
        self._liveness: PoolLiveness | None = None

    def start(self, c: Any) -> None:
        self._liveness = PoolLiveness(connect(get_settings().broker.url))
        self._beat(c)
        if c.hub is not None:
            self._timer = c.hub.call_repeatedly(BEAT_S, self._beat, c)
        else:  # no event loop (solo, gevent pools): a thread notes instead
            self._stop.clear()
            threading.Thread(
                target=self._run, args=(c,), name="pool-heartbeat", daemon=True
            ).start()

    def _run(self, c: Any) -> None:
        while not self._stop.wait(BEAT_S):
            self._beat(c)

    def _beat(self, c: Any) -> None:
        consumer = c.task_consumer
        queues = {q.name for q in consumer.queues} if consumer is not None else set()
        try:
            assert self._liveness is not None
            if self._noted - queues:
                self._liveness.forget(c.hostname, self._noted - queues)
            self._liveness.beat(c.hostname, queues)
            self._noted = queues
        except Exception:
            # A broker blip: the next beat notes again; readiness may flicker meanwhile.
            log.warning("noting this worker's queues failed; trying again", exc_info=True)

    def stop(self, c: Any) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._liveness is not None and self._noted:
            try:
                self._liveness.forget(c.hostname, self._noted)
            except Exception:
                log.warning("could not withdraw this worker's queues", exc_info=True)
            self._noted = set()

    def shutdown(self, c: Any) -> None:
        self.stop(c)
