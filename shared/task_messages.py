"""Stage messages written straight onto the Redis list their workers pop, by the hot paths.

``app.send_task`` costs about half a millisecond of CPU per message in kombu's machinery (a
Redis client object built for every publish, routing, and a second round trip for the
task-sent event), which was a fifth of an upload's whole cost, and it cannot share a Redis
transaction with anything. Here Celery still builds the message (``amqp.as_task_v2``, task
protocol 2, as ``send_task`` does; once per process and task, then only its ids and args are
filled in), and it is wrapped exactly as kombu's Redis transport wraps it:
``tests/integration/test_task_messages.py`` checks the envelope against kombu's own and
runs it through a real worker. The payload can then go into the same script as the job
record (``JobStore.create``, ``api.recording``), so a job is never recorded without its first
message nor queued without its record.

Only direct routing to a queue of the same name is produced, which is all the stages use;
anything else goes through ``send_task``. A batch job's messages go at ``BATCH_PRIORITY``,
on the list kombu keeps for it, so a worker takes every waiting single job's message first.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.utils.saferepr import saferepr
from redis import Redis
from redis.client import Pipeline

from shared.celery_app import TASK_NAMES
from shared.models import Job
from shared.queue_depth import priority_list
from shared.stages import Stage
from shared.tracing import current_context_headers

# kombu's "persistent" delivery mode, what Celery asks for by default.
_PERSISTENT = 2

# kombu's Redis transport serves the lowest number first: a worker's BRPOP names a queue's
# priority-0 list before its 3, 6 and 9 lists, and Redis pops the first that has a message.
# Single jobs (a caller waiting on a voicemail) stay at 0; a batch's jobs go on the last
# list, so a 10,000-item import does not stand in front of them (but for the batch's turn,
# every few polls: shared/broker_transport.py, 4.). kombu puts a message it
# hands back (a retry, an unacked one restored) on the list of its ``properties.priority``,
# so it stays there.
SINGLE_PRIORITY = 0
BATCH_PRIORITY = 9


@dataclass(frozen=True)
class TaskMessage:
    """One task message, ready to push: the list it goes on (the queue's, or one of its
    priority lists) and kombu's JSON envelope."""

    queue: str
    task_id: str
    payload: str


def task_message(
    app: Celery, name: str, args: list[Any], queue: str, priority: int = SINGLE_PRIORITY
) -> TaskMessage:
    """The message carries the current span's trace context (shared.tracing), which the
    worker makes the parent of the task's span."""
    task_id = str(uuid.uuid4())
    fixed_headers, fixed_properties = _template(app, name)
    headers = {
        **fixed_headers,
        "id": task_id,
        "root_id": task_id,
        "argsrepr": _argsrepr(app, args),
        **current_context_headers(),
    }
    # As send_task calls it: ignore_result None leaves the task's own setting in force.
    body: tuple[list[Any], dict[str, Any], dict[str, None]] = (args, {}, _EMBED)
    envelope = {
        "body": base64.b64encode(json.dumps(body).encode()).decode("ascii"),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": headers,
        "properties": {
            **fixed_properties,
            "priority": priority,
            "correlation_id": task_id,
            "reply_to": app.thread_oid,
            "delivery_info": {"exchange": "", "routing_key": queue},
            # kombu's Redis transport keys its unacked messages by this tag.
            "delivery_tag": str(uuid.uuid4()),
        },
    }
    listed = priority_list(queue, priority) if priority else queue
    return TaskMessage(queue=listed, task_id=task_id, payload=json.dumps(envelope))


# What Celery's as_task_v2 gives every message of a task the same, taken from it once per
# process (its "origin" names the process) and task name: building each message through it
# was 5.8 % of an upload's CPU (py-spy, GIL samples, under `make bench ONLY=intake`). Only
# the ids, the args and their repr, the reply address (per thread) and the trace context
# change; nothing in the template depends on the app's settings.
_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
_templates: dict[tuple[int, str], tuple[dict[str, Any], dict[str, Any]]] = {}


def _template(app: Celery, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    key = (os.getpid(), name)
    found = _templates.get(key)
    if found is None:
        headers, properties, _, _ = app.amqp.as_task_v2(
            "", name, args=[], reply_to="", ignore_result=None
        )
        properties = {
            **properties,
            "delivery_mode": _PERSISTENT,
            "body_encoding": "base64",
        }
        found = _templates[key] = (headers, properties)
    return found


def _argsrepr(app: Celery, args: list[Any]) -> str:
    # saferepr shortens long or deep values; ids, all the stages send, come out as repr.
    if all(type(arg) is str and len(arg) < 64 for arg in args) and len(args) < 8:
        return repr(args)
    return str(saferepr(args, app.amqp.argsrepr_maxsize, maxlevels=app.conf.task_repr_maxlevels))


def job_priority(job: Job) -> int:
    """The priority of every message of the job's stages."""
    return SINGLE_PRIORITY if job.batch_id is None else BATCH_PRIORITY


def stage_message(app: Celery, stage: Stage, job: Job) -> TaskMessage:
    """The message that runs ``stage`` of the job: only its id travels, at its priority."""
    return task_message(app, TASK_NAMES[stage], [job.id], stage.value, job_priority(job))


def push(client: Redis | Pipeline, message: TaskMessage) -> None:
    """Queue the message (in ``client``'s transaction, when it is a pipeline). kombu's
    workers pop from the right of each list, so LPUSH keeps first-in, first-out within a
    priority."""
    client.lpush(message.queue, message.payload)
