"""Task events for Flower, sent in batches on a timer instead of once per loop turn.

Celery's worker buffers task events and asks its event loop to flush them "soon" after
each one: at a few hundred tasks a second that is a broker round trip on the consumer
thread for nearly every task. With a threads pool that thread also competes for the GIL
with every task, and when it falls behind the pool starves. Flushing on a short timer
instead keeps the consumer free to take in messages; Flower sees events within
``FLUSH_INTERVAL_S``.
"""

from __future__ import annotations

from typing import Any

from celery import bootsteps
from celery.worker.consumer.events import Events

FLUSH_INTERVAL_S = 0.5
# Flushed by the timer, not by size: a flush on size would publish from a pool thread.
_BUFFER_LIMIT = 100_000


class BatchedTaskEvents(bootsteps.StartStopStep):  # type: ignore[misc]
    """Consumer step: runs after Celery's ``Events`` step (again after each reconnect)."""

    requires = (Events,)

    def __init__(self, c: Any, **kwargs: Any) -> None:
        super().__init__(c, **kwargs)
        self._timer: Any = None

    def start(self, c: Any) -> None:
        dispatcher = c.event_dispatcher
        if dispatcher is None or c.hub is None or not dispatcher.buffer_group:
            return  # no event loop (solo, gevent): Celery sends events unbuffered
        dispatcher.on_send_buffered = None
        dispatcher.buffer_limit = _BUFFER_LIMIT
        # On the event loop's own thread, like Celery's flush: the producer is not shared.
        self._timer = c.hub.call_repeatedly(FLUSH_INTERVAL_S, c._flush_events)

    def stop(self, c: Any) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if c.event_dispatcher is not None:
            c._flush_events()  # what the last turn buffered, before the connection goes

    def shutdown(self, c: Any) -> None:
        self.stop(c)
