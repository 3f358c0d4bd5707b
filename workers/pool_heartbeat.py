"""Consumer step: this worker notes the queues it consumes (see ``shared.pool_liveness``).

On the consumer's event loop, like Celery's own event flush (shared.event_batching): no
thread in a prefork parent, and the queues read are the task consumer's own, so a queue
cancelled by remote control stops being noted. The event loop runs in the worker's main
process while the tasks run in prefork children or pool threads, so a worker beats on
through a stage that takes many minutes.

The same beat notes this process's incarnation alive, for the sweeper (``shared.orphans``).
At a warm shutdown the beats stop while the running tasks finish: the incarnation vouches
for itself until the longest of them could end, so none is taken for orphaned meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import bootsteps
from celery.bootsteps import CLOSE
from celery.worker.consumer.tasks import Tasks

from shared.pool_liveness import BEAT_S, Incarnation, PoolLiveness
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
        # Every queue consumed since the start (a warm shutdown drains their tasks).
        self._consumed: set[str] = set()
        self._liveness: PoolLiveness | None = None
        # Before the consumer takes any message: every stage this process runs started
        # after it (both read this host's clock).
        self._started = time.time()

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
            self._liveness.beat(c.hostname, queues, started=self._started)
            self._noted = queues
            self._consumed |= queues
        except Exception:
            # A broker blip: the next beat notes again; readiness may flicker meanwhile.
            log.warning("noting this worker's queues failed; trying again", exc_info=True)

    def stop(self, c: Any) -> None:
        self._stop.set()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._liveness is not None and c.blueprint.state == CLOSE:
            # Shutting down, not reconnecting (a restart of the consumer keeps the state
            # RUN and beats again as it starts): vouch for the tasks it lets finish.
            try:
                self._liveness.vouch(
                    Incarnation(c.hostname, self._started), time.time() + self._drain_s()
                )
            except Exception:
                log.warning("could not note this worker as draining", exc_info=True)
        if self._liveness is not None and self._noted:
            try:
                self._liveness.forget(c.hostname, self._noted)
            except Exception:
                log.warning("could not withdraw this worker's queues", exc_info=True)
            self._noted = set()

    def _drain_s(self) -> float:
        """The longest a task of the queues this worker consumed may still run: its hard
        time limit (every queue has a pool, and every pool its limit)."""
        workers = get_settings().workers
        limits = [getattr(workers, q).time_limit_s for q in self._consumed if hasattr(workers, q)]
        return float(max(limits, default=0))

    def shutdown(self, c: Any) -> None:
        self.stop(c)
