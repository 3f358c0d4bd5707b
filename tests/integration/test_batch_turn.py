"""Batches keep a share of each pool: a worker's poll names the batch list first every
``batch_turn``-th time (shared/broker_transport.py, 4.), so a steady stream of single jobs
does not hold a batch back for as long as it lasts.

A real Valkey and kombu's own consumer loop (the BRPOP a worker sends), on our transport.
"""

from __future__ import annotations

from kombu import Connection, Consumer, Queue  # type: ignore[attr-defined]
from kombu.message import Message

from shared import broker_transport
from shared.task_messages import BATCH_PRIORITY, SINGLE_PRIORITY
from tests.conftest import ValkeyProcess

QUEUE = "stt"


def _taken_order(url: str, batch_turn: int, singles: int, batch: int) -> list[str]:
    """The kinds of the messages one consumer takes, one at a time, from a queue holding
    ``singles`` single jobs' messages and ``batch`` batch jobs'."""
    broker_transport.install()
    options = {"batch_turn": batch_turn}
    queue = Queue(QUEUE, routing_key=QUEUE)  # type: ignore[no-untyped-call]
    with Connection(url, transport_options=options) as conn:  # type: ignore[no-untyped-call]
        producer = conn.Producer()
        for kind, count, priority in (
            ("batch", batch, BATCH_PRIORITY),
            ("single", singles, SINGLE_PRIORITY),
        ):
            for _ in range(count):
                producer.publish(
                    {"kind": kind}, routing_key=QUEUE, declare=[queue], priority=priority
                )
        taken: list[str] = []

        def took(body: dict[str, str], message: Message) -> None:
            taken.append(body["kind"])
            message.ack()  # type: ignore[no-untyped-call]

        with Consumer(conn, [queue], callbacks=[took], accept=["json"]) as consumer:  # type: ignore[no-untyped-call]
            consumer.qos(prefetch_count=1)
            while len(taken) < singles + batch:
                conn.drain_events(timeout=5)
    return taken


def test_every_nth_message_a_worker_takes_is_a_batch_jobs_while_single_jobs_wait(
    valkey: ValkeyProcess,
) -> None:
    taken = _taken_order(valkey.url, batch_turn=3, singles=8, batch=4)

    # Polls 3, 6, 9 and 12 name the batch list first; the rest the single jobs' list.
    assert taken[:9] == ["single", "single", "batch"] * 3
    assert taken.count("batch") == 4


def test_a_batch_turn_of_zero_takes_every_single_job_first(valkey: ValkeyProcess) -> None:
    taken = _taken_order(valkey.url, batch_turn=0, singles=8, batch=4)

    assert taken == ["single"] * 8 + ["batch"] * 4


def test_a_batch_turn_with_no_batch_waiting_takes_the_single_jobs(
    valkey: ValkeyProcess,
) -> None:
    assert _taken_order(valkey.url, batch_turn=2, singles=5, batch=0) == ["single"] * 5
