"""The one Celery app: JSON only, three queues, at-least-once delivery.

Workers start with ``celery -A workers.app worker -Q <queue>`` (this app plus the task
modules); the API only sends tasks by name, so it never imports worker code.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import celeryd_init, setup_logging, worker_init
from kombu import Queue  # type: ignore[attr-defined]

from shared import broker_transport
from shared.event_batching import BatchedTaskEvents
from shared.logging import configure_logging
from shared.models import Stage
from shared.queues import DELIVER_TASK, INGEST, INGEST_TASKS, QUEUES, WEBHOOKS
from shared.settings import Settings, get_settings
from shared.task_failures import QuietTask

# Every connection this process makes to the broker, Celery's or kombu's, keeps a worker
# alive through a broker restart (see shared/broker_transport.py).
broker_transport.install()

TASK_NAMES: dict[Stage, str] = {stage: f"voicepipe.{stage.value}" for stage in Stage}


def create_celery(settings: Settings, budget_s: float | None = None) -> Celery:
    """The app; with ``budget_s`` (the API's), a task sent to a broker that is down or does
    not answer fails within about that long instead of waiting on it without end (kombu's
    sockets have no timeout of their own). Workers keep the default: they wait it out."""
    # No task module is named here: a worker loads them through workers.app, and the API
    # sends tasks by name only.
    # QuietTask: what a task raises reaches Celery's log line, Flower's events and results
    # without text that may quote a transcript, a reply or a key (shared.task_failures).
    app = Celery("voicepipe", task_cls=QuietTask)
    pools = settings.workers
    limits = {
        TASK_NAMES[Stage.STT]: pools.stt,
        TASK_NAMES[Stage.LLM]: pools.llm,
        TASK_NAMES[Stage.TTS]: pools.tts,
        **{name: pools.ingest for name in INGEST_TASKS.values()},
        DELIVER_TASK: pools.webhooks,
    }
    app.conf.update(
        broker_url=settings.broker.url,
        broker_connection_retry_on_startup=True,
        # Redelivery of unacked messages happens only after this long: keep it above the
        # longest hard time limit so a slow task is never run twice concurrently.
        broker_transport_options={
            "visibility_timeout": settings.broker.visibility_timeout_s,
            "socket_keepalive": True,
            "health_check_interval": 10,
            "batch_turn": settings.workers.batch_turn,
        },
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        event_serializer="json",
        # Job state lives in the job store; Celery results would only cost a round trip.
        task_ignore_result=True,
        result_backend=None,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_send_task_events=True,
        # No task-sent events: stage messages are pushed without send_task
        # (shared/task_messages.py), and Flower shows a task from its task-received event on.
        task_send_sent_event=False,
        task_default_queue=Stage.STT.value,
        task_queues=[
            Queue(name, routing_key=name)  # type: ignore[no-untyped-call]
            for name in QUEUES
        ],
        task_routes={
            **{TASK_NAMES[stage]: {"queue": stage.value} for stage in Stage},
            "voicepipe.ingest.*": {"queue": INGEST},
            "voicepipe.webhooks.*": {"queue": WEBHOOKS},
        },
        task_annotations={
            name: {
                # Our own retry policy decides when to stop (settings.retries); Celery's
                # default cap of 3 would silently end retries early.
                "max_retries": None,
                "soft_time_limit": pool.soft_time_limit_s,
                "time_limit": pool.time_limit_s,
            }
            for name, pool in limits.items()
        },
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        broker_connection_max_retries=None,
    )
    if budget_s is not None:
        app.conf.broker_transport_options.update(
            socket_timeout=budget_s, socket_connect_timeout=budget_s, retry_budget_s=budget_s
        )
        # The connection's own retries (shared.redis_keys.RetryWithin) reconnect a stale
        # connection and ride out a restart within the budget; kombu's would start the
        # budget again for each of its attempts.
        app.conf.task_publish_retry_policy = {"max_retries": 0}
    app.steps["consumer"].add(BatchedTaskEvents)
    return app


@worker_init.connect  # type: ignore[untyped-decorator]
def _worker_tracing(**_: Any) -> None:
    # In the worker's main process; a prefork child inherits the provider, and the SDK's
    # batch processor starts its thread again after the fork.
    from shared.tracing import configure_tracing

    configure_tracing(get_settings().tracing, "worker")


@celeryd_init.connect  # type: ignore[untyped-decorator]
def _worker_warnings(**_: Any) -> None:
    # Sent before Celery checks its privileges and warns (a SecurityWarning when run as
    # root) and long before it sets up logging: warnings become our log lines from here,
    # one JSON object each in that format rather than bare text on stderr.
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    logging.captureWarnings(True)


@setup_logging.connect  # type: ignore[untyped-decorator]
def _worker_logging(loglevel: str | int | None = None, **_: Any) -> None:
    # Without this Celery leaves our loggers handler-less in a worker (the root logger is
    # not hijacked), and every stage's own log line was lost. Celery's two lines per task
    # ("received", "succeeded in") say less than the stage's one line: left out.
    settings = get_settings()
    configure_logging(loglevel or settings.log_level, settings.log_format)
    for per_task in ("celery.app.trace", "celery.worker.strategy"):
        logging.getLogger(per_task).setLevel(logging.WARNING)
