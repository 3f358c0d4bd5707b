"""Kombu's Redis transport, with two fixes for a worker whose broker connection drops.

1. The worker stays alive through a broker restart.

Celery 5.7.0 closes the broken connection after a connection loss, once ``collect()`` has
already detached the transport from it (``transport.client = None``). Closing the default
channel then tries to hand its unacknowledged messages back, and building the client for
that reads ``self.connection.client.hostname``: an ``AttributeError``, not one of the
connection errors Celery ignores there, so the worker stopped with "Unrecoverable error"
instead of reconnecting. Seen in ``make chaos`` scenario 2 (broker SIGTERM + restart):
every worker exited at each restart and the supervisor started it again; a task caught
mid-call by the exit ran again on its redelivery, and its vendor was called twice.

Here that client asks for a broker connection that no longer exists and gets the
connection error it would get from a broker that went away. The close ignores it and
Celery reconnects. The messages stay where the unreachable broker left them anyway, in its
unacknowledged set: a task still running finishes and queues its job's next stage (its own
ack then fails on the old connection), and the message comes back after the visibility
timeout to find its stage done. Celery 5.6 did not close the connection there.

2. A task still running is not handed back while it runs. Where the broker stays up and only
the connection drops (a network blip, a proxy, ``CLIENT KILL``), closing the channel does
reach the broker, and kombu puts every unacknowledged message back in its queue at once,
including those of tasks still running in this worker (Celery lets them run on). The worker
then took them again while they ran: the stage, found "running", counted a crash and ran
a second time, its vendor called twice (18 of 50 jobs in ``make chaos`` scenario 2b). Those
messages now stay unacknowledged; the running task finishes and queues its job's next stage,
and the message comes back after the visibility timeout to find its stage done. The same holds
for a task handed to the pool that has not yet told the worker it started: a prefork child
that has read its payload (Celery drops only the payloads no child has been sent yet), or a
thread pool's queue, which Celery never empties. The master counts a task as running only
once the child's acknowledgement comes back, so in that window its message went back and
ran twice (a double stt call, once in four runs of scenario 2b). Messages not yet handed to
a pool go back at once as before, and everything does in a shutdown that does not wait for
its tasks (Celery's cold shutdown).

3. One client per connection pool, not one per command.

Kombu builds a new ``redis.Redis`` for every command it sends outside the consumer's own
connection (``conn_or_acquire``): the unacknowledged-set write that precedes every task, the
ack after it, every publish. Building one costs ~60 µs of CPU here (redis-py 8, warm; more in
a worker just woken), under the GIL, for an object that only names the pool: the
connections come from the pool either way, and a client is safe to share between threads.
The channel keeps the one it built for as long as its pool lives, and builds another when
kombu replaces the pool after a connection loss.

4. Batches keep a share of each pool.

A worker's ``BRPOP`` names a queue's priority lists lowest number first, and Redis pops the
first that holds a message: a single job's (priority 0) always before a batch job's (9,
shared/task_messages.py). A steady stream of single jobs then held a batch back for as long
as it lasted. Every ``batch_turn``-th poll (``VOICEPIPE_WORKERS__BATCH_TURN``) names the
lists the other way round, so a waiting batch job is taken then: a single job waits at most
one message's turn for it, and a batch keeps at least 1/N of the pool.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

import kombu.transport
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

from shared.redis_keys import RetryWithin


def _will_run(request: Any, running: Any) -> bool:
    """Whether this worker will run the request whatever becomes of its connection."""
    if request in running:
        return True
    handed = request._apply_result  # a weak reference to the pool's job; None until handed
    if handed is None:
        return False  # still in a rate-limit bucket, which the reconnection empties
    job = handed()
    # A prefork job no child was picked for yet is dropped by the pool's flush at the
    # reconnection (``AsynPool.flush``); one whose payload is on its way is still run. A
    # thread pool's job is gone from the weak reference at once (nothing else holds it) and
    # waits in the executor's queue, which nothing empties.
    return not (job is not None and hasattr(job, "_write_to") and job._write_to is None)


def _running_delivery_tags() -> set[str]:
    """Delivery tags of the tasks this worker process runs or will run (none outside one)."""
    from celery.worker import state  # the worker's own bookkeeping, cheap and in-process

    if state.should_terminate is not None:
        return set()  # a cold shutdown: they will not finish, so they go back too
    running = state.active_requests
    tags: set[str] = set()
    for request in {*running, *state.reserved_requests}:
        tag = request.message.delivery_tag
        if isinstance(tag, str) and _will_run(request, running):
            tags.add(tag)
    return tags


class QoS(kombu_redis.QoS):
    def restore_unacked(self, client: Any = None) -> Any:
        for tag in _running_delivery_tags():
            self._delivered.pop(tag, None)
        return super().restore_unacked(client)  # type: ignore[no-untyped-call]


class Channel(kombu_redis.Channel):
    QoS = QoS
    _shared_client: Any = None
    # The transport option ``retry_budget_s`` (the API's publishing, see
    # shared.celery_app.create_celery): a command retried within this long, then given up.
    retry_budget_s: float | None = None
    # The transport option ``batch_turn`` (see 4. above); 0: always the lowest number first.
    batch_turn: int = 0
    _polls = 0
    from_transport_options = (  # type: ignore[assignment]
        *kombu_redis.Channel.from_transport_options,
        "retry_budget_s",
        "batch_turn",
    )

    def _brpop_start(self, timeout: float | None = None) -> None:
        self._polls += 1
        if not self.batch_turn or self._polls % self.batch_turn:
            super()._brpop_start(timeout)  # type: ignore[no-untyped-call]
            return
        # kombu 5.7.0's own, with the priority lists named highest number first.
        if timeout is None:
            timeout = self.brpop_timeout
        queues = self._queue_cycle.consume(len(self.active_queues))
        if not queues:
            return
        steps = reversed(self.priority_steps)
        keys = [self._q_for_pri(queue, pri) for pri in steps for queue in queues]  # type: ignore[no-untyped-call]
        self._in_poll = self.client.connection
        self._brpop_sent_at = monotonic()  # type: ignore[assignment]
        command_args = ["BRPOP", *keys, timeout or 0]
        if self.global_keyprefix:
            command_args = self.client._prefix_args(command_args)
        self.client.connection.send_command(*command_args)

    def _create_client(self, asynchronous: bool = False) -> Any:
        if asynchronous:  # the consumer's own connection, made once per channel anyway
            return super()._create_client(asynchronous=True)  # type: ignore[no-untyped-call]
        pool = self.pool
        client = self._shared_client
        if client is None or client.connection_pool is not pool:
            client = self._shared_client = super()._create_client()  # type: ignore[no-untyped-call]
        return client

    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection was closed after a connection loss")
        params = super()._connparams(asynchronous=asynchronous)  # type: ignore[no-untyped-call]
        if self.retry_budget_s is not None:
            params["retry"] = RetryWithin(self.retry_budget_s)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
SCHEMES = ("redis", "rediss")


def install() -> None:
    """Have redis:// and rediss:// URLs use this transport, in this process.

    By the URL's own scheme rather than Celery's ``broker_transport`` setting: named by path,
    the transport would lose what kombu does for the name "rediss" (TLS on), and the
    connection's URL would stop starting with redis://, which Flower reads to find the
    broker's queues.
    """
    for scheme in SCHEMES:
        kombu.transport.TRANSPORT_ALIASES[scheme] = TRANSPORT
        # Kombu caches what a name resolved to; nothing should have asked yet, but a stale
        # entry would silently keep the stock transport.
        kombu.transport._transport_cache.pop(scheme, None)
