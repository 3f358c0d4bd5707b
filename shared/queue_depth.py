"""How many messages each queue holds, read from the broker the way kombu lays them out.

kombu's Redis transport keeps a queue's messages of priority 0 in a list named after the
queue and those of priority 3, 6 and 9 in sub-lists (`<queue>` + separator + priority); a
message delivered to a worker but not yet acknowledged sits in one `unacked` hash with its
routing key until the ack. Counting only the plain list (as the common Celery exporter does)
misses both. The names come from kombu itself, so they follow it.

An unacked message also says which task it runs (task protocol 2: the ``id`` header, the
arguments in the base64 body), so /metrics can tell which of them a job still needs.
"""

from __future__ import annotations

import base64
import json
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from kombu.transport.redis import PRIORITY_STEPS, Channel


@dataclass(frozen=True)
class Delivery:
    """An unacknowledged message's task: its id and its arguments."""

    task_id: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Depth:
    waiting: int
    unacked: int
    # Those of the unacked messages whose task could be read (all of VoicePipe's).
    deliveries: tuple[Delivery, ...] = field(default=())


def priority_list(queue: str, priority: int) -> str:
    """The list kombu puts a message of ``priority`` on, as ``Channel._q_for_pri`` names it:
    the priority rounded down to its step."""
    step = PRIORITY_STEPS[bisect(PRIORITY_STEPS, priority) - 1]
    return f"{queue}{Channel.sep}{step}" if step else queue


def priority_lists(queue: str) -> list[str]:
    """All of a queue's lists, in the order a worker's BRPOP reads them (priority 0 first)."""
    return [priority_list(queue, step) for step in PRIORITY_STEPS]


def queue_depths(client: redis.Redis, queues: Iterable[str]) -> dict[str, Depth]:
    names = list(queues)
    pipe = client.pipeline(transaction=False)
    for queue in names:
        for name in priority_lists(queue):
            pipe.llen(name)
    lengths = pipe.execute()
    per_queue = len(PRIORITY_STEPS)
    unacked = Counter[str]()
    deliveries = defaultdict[str, list[Delivery]](list)
    # Bounded by the workers' prefetch (a few messages per slot), so read whole.
    for raw in client.hvals(Channel.unacked_key):
        try:
            message, _, routing_key = json.loads(raw)
        except (ValueError, TypeError):
            continue  # not a kombu entry: not ours to count
        unacked[str(routing_key)] += 1
        if (delivery := _delivery(message)) is not None:
            deliveries[str(routing_key)].append(delivery)
    return {
        queue: Depth(
            waiting=sum(lengths[i * per_queue : (i + 1) * per_queue]),
            unacked=unacked[queue],
            deliveries=tuple(deliveries[queue]),
        )
        for i, queue in enumerate(names)
    }


def _delivery(message: Any) -> Delivery | None:
    try:
        task_id = message["headers"]["id"]
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None  # not a task message of protocol 2 as Celery writes it
    if not isinstance(task_id, str) or not isinstance(args, list):
        return None
    return Delivery(task_id, tuple(args))
