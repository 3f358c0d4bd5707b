"""How many messages each queue holds, read from the broker the way kombu lays them out.

kombu's Redis transport keeps a queue's messages of priority 0 in a list named after the
queue and those of priority 3, 6 and 9 in sub-lists (`<queue>` + separator + priority); a
message delivered to a worker but not yet acknowledged sits in one `unacked` hash with its
routing key until the ack. Counting only the plain list (as the common Celery exporter does)
misses both. The names come from kombu itself, so they follow it.
"""

from __future__ import annotations

import json
from bisect import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from kombu.transport.redis import PRIORITY_STEPS, Channel


@dataclass(frozen=True)
class Depth:
    waiting: int
    unacked: int


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
    # Bounded by the workers' prefetch (a few messages per slot), so read whole.
    for raw in client.hvals(Channel.unacked_key):
        try:
            _, _, routing_key = json.loads(raw)
        except (ValueError, TypeError):
            continue  # not a kombu entry: not ours to count
        unacked[str(routing_key)] += 1
    return {
        queue: Depth(
            waiting=sum(lengths[i * per_queue : (i + 1) * per_queue]), unacked=unacked[queue]
        )
        for i, queue in enumerate(names)
    }
