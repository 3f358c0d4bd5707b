"""In a worker consuming ``tts``: list every configured speech provider's voices and
publish them for the API (see ``shared.voice_directory``).

The listing runs in a process that executes tasks, never in the parent of a prefork pool:
a thread there building providers holds the registry's (and imports') locks, and a child
forked at that moment inherits them locked and hangs at its first provider. So a prefork
child starts the publisher as it starts (``workers.app``), while a thread, solo or gevent
pool's one process starts it from the worker step below. Every process may publish; a
short lease in Redis lets one list per period.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import bootsteps

from shared.errors import StageFailed
from shared.models import Stage
from shared.provider_catalog import provider_names
from shared.redis_keys import connect
from shared.settings import Settings, get_settings
from shared.voice_directory import VoiceDirectory
from workers.providers.registry import tts_provider

log = logging.getLogger("voicepipe.voices")

_started = threading.Event()


def publish_voices(settings: Settings, directory: VoiceDirectory) -> None:
    # Kept for three refresh periods: one missed refresh (a slow vendor) loses nothing.
    keep_s = 3 * settings.workers.voices_refresh_s
    for name in provider_names(Stage.TTS):
        if settings.missing_configuration(Stage.TTS, name):
            continue  # the API says what is missing; nothing to list
        try:
            voices, error = tts_provider(name, settings).voices(), None
        except StageFailed as exc:
            voices, error = [], f"{exc.code}: {exc.message}"
        directory.publish(name, voices, error, keep_s)


def _run() -> None:
    settings = get_settings()
    directory = VoiceDirectory(connect(settings.broker.url))
    period = settings.workers.voices_refresh_s
    while True:
        try:
            if directory.claim_listing(period):
                publish_voices(settings, directory)
        except Exception:
            # A broker blip: the lists already published stay until they expire.
            log.exception("publishing the voices failed; trying again next period")
        time.sleep(period)


def start_publishing() -> None:
    """Start this process's publisher thread (once)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_run, name="voice-publisher", daemon=True).start()


class VoicePublisher(bootsteps.StartStopStep):  # type: ignore[misc]
    """Worker step: publish from the worker's own process unless its pool forks children."""

    def include_if(self, worker: Any) -> bool:
        return Stage.TTS.value in worker.app.amqp.queues.consume_from

    def start(self, worker: Any) -> None:
        if "prefork" not in worker.pool_cls.__module__:
            start_publishing()
