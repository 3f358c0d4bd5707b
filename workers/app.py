"""The Celery app as a worker runs it: the shared app plus every task module.

Workers start with ``celery -A workers.app worker -Q <queue>`` (Flower too). The API builds
its own app with ``shared.celery_app.create_celery``: it sends tasks by name and never
imports this.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps
from celery.signals import worker_init, worker_process_init

from shared.celery_app import create_celery
from shared.language import known_names
from shared.large_buffers import return_large_buffers
from shared.models import Stage
from shared.settings import get_settings
from workers import ingest, llm, stt, tts, webhooks
from workers.broker_check import refuse_an_unusable_broker
from workers.cpu_priority import step_down
from workers.pool_heartbeat import PoolHeartbeat
from workers.providers.registry import get_provider
from workers.voice_publisher import VoicePublisher, start_publishing

# Built here, on first use by a worker (or Flower), not when shared/ is imported: the task
# modules declare their tasks with shared_task, and they bind to this app.
app = create_celery(get_settings())
# Recordings and their samples, tens of MB each, go back to the system when freed, in this
# process and the pool children it forks (shared.large_buffers).
return_large_buffers()
# In a worker consuming the webhooks queue, a thread relays due events (workers.webhooks).
app.steps["worker"].add(webhooks.WebhookRelay)
# In a worker consuming tts, a thread publishes the speech providers' voices for the API.
app.steps["worker"].add(VoicePublisher)
# Every worker notes the queues it consumes, for the API's readiness (shared.pool_liveness).
app.steps["consumer"].add(PoolHeartbeat)
# Person-name redaction runs on every redacting job of these stages: the transcript's
# (workers/stt.py) and the reply's, or a typed text's (workers/llm.py).
_REDACTING = frozenset({Stage.STT.value, Stage.LLM.value})

TASK_MODULES = (stt, llm, tts, ingest, webhooks)

log = logging.getLogger("voicepipe.worker")

__all__ = ["TASK_MODULES", "NamesAtStart", "app", "preload_models"]


class NamesAtStart(bootsteps.StartStopStep):  # type: ignore[misc]
    """Worker step: a worker whose pool forks no children (threads, the llm stage's default)
    loads the name lists in its own process as it starts, where its tasks run; a prefork
    pool's children load them in preload_models, as worker_process_init fires only there
    (and in solo, where loading twice is one load)."""

    def include_if(self, worker: Any) -> bool:
        return bool(_REDACTING & set(worker.app.amqp.queues.consume_from or ()))

    def start(self, worker: Any) -> None:
        if "prefork" not in worker.pool_cls.__module__:
            known_names.preload()
            log.info("known names loaded at worker start")


app.steps["worker"].add(NamesAtStart)


@worker_init.connect  # type: ignore[untyped-decorator]
def refuse_a_broker_that_refuses(**_: Any) -> None:
    """Before the pool starts: a broker that answers and refuses (workers.broker_check) ends
    the worker with what to fix, where Celery would retry it forever."""
    refuse_an_unusable_broker(get_settings().broker.url)


@worker_init.connect  # type: ignore[untyped-decorator]
def lower_priority(**_: Any) -> None:
    """The worker's main process steps aside for the API before its pool starts, so its
    threads and the children it forks all do (see workers.cpu_priority)."""
    workers = get_settings().workers
    step_down(workers.nice, workers.sched_idle)


@worker_process_init.connect  # type: ignore[untyped-decorator]
def preload_models(**_: Any) -> None:
    """A process-pool child loads its stage's default model as it starts, so the first job
    it runs does not pay for the load (the offline voice and speech models take seconds).
    A child's tasks run on its main thread, where the model is then ready."""
    consumed = set(app.amqp.queues.consume_from or ())
    settings = get_settings()
    for stage in Stage:
        if stage.value not in consumed:
            continue
        name = getattr(settings.providers, stage.value)
        try:
            provider = get_provider(stage, name, settings)
            load = getattr(provider, "load", None)
            if callable(load):
                load()
                log.info("%s provider %r loaded at worker start", stage.value, name)
        except Exception:
            # The first job loads it instead, and reports what is wrong if it still fails.
            log.exception("preloading the %s provider %r failed", stage.value, name)
    if consumed & _REDACTING:
        known_names.preload()
    if Stage.TTS.value in consumed:
        start_publishing()  # in this child, not in the parent that forks (voice_publisher)
