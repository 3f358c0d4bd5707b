"""The command line of each VoicePipe process, one place for all of them.

`voicepipe up` starts these as its children, and `voicepipe api|worker|sweeper|flower`
replaces itself with them (compose, Kubernetes), so a deployment runs exactly what the
supervisor runs, with settings from the same `VOICEPIPE_*` environment.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shared.settings import Settings
from shared.stages import Stage


def api_command(settings: Settings) -> list[str]:
    """uvicorn serving the app factory, ``api.processes`` processes."""
    api = settings.api
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.main:create_app",
        "--host",
        api.host,
        "--port",
        str(api.port),
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "10",
        *(("--workers", str(api.processes)) if api.processes > 1 else ()),
        # The app configures its own logging once it runs, but uvicorn's supervisor speaks
        # first ("Uvicorn running on", "Started parent process"): in JSON too, with this.
        *(("--log-config", str(UVICORN_JSON_LOGGING)) if settings.log_format == "json" else ()),
    ]


UVICORN_JSON_LOGGING = Path(__file__).parents[1] / "uvicorn_json_logging.json"


def sweeper_command() -> list[str]:
    return [sys.executable, "-m", "workers.sweeper"]


def _celery(settings: Settings, *args: str) -> list[str]:
    # -q: no start-up banner (thirty lines on stdout) where every line must be JSON.
    quiet = ("-q",) if settings.log_format == "json" else ()
    return [sys.executable, "-m", "celery", "-A", "workers.app", *quiet, *args]


def flower_command(settings: Settings) -> list[str]:
    """Flower on the configured address; its basic auth comes from FLOWER_BASIC_AUTH."""
    return _celery(
        settings,
        "flower",
        f"--address={settings.flower.host}",
        f"--port={settings.flower.port}",
        "--persistent=False",
        "--purge_offline_workers=60",
    )


def worker_command(
    settings: Settings,
    queue: Stage | str,
    name: str | None = None,
    extra: tuple[str, ...] = (),
    slots: int | None = None,
) -> list[str]:
    """The command line of the Celery worker that consumes one queue (a stage's, ingest or
    webhooks): one process with the pool's whole concurrency, or ``slots`` of it."""
    queue = queue.value if isinstance(queue, Stage) else queue
    pool = getattr(settings.workers, queue)
    return _celery(
        settings,
        "worker",
        "-Q",
        queue,
        "-n",
        name or f"{queue}@%h",
        "-P",
        pool.pool,
        "-c",
        str(slots or pool.concurrency),
        "--prefetch-multiplier",
        str(pool.prefetch_multiplier),
        "--loglevel",
        settings.log_level,
        "-E",
        "--without-mingle",
        "--without-gossip",
        *extra,
    )


def worker_commands(
    settings: Settings, queue: Stage | str, extra: tuple[str, ...] = ()
) -> list[tuple[str, list[str]]]:
    """The processes of one queue's pool under `voicepipe up`, each as (its name, its command
    line): ``processes`` of them sharing the pool's concurrency. The first is named after
    the queue alone (``llm@host``, child ``worker-llm``), the others numbered from 2."""
    queue = queue.value if isinstance(queue, Stage) else queue
    pool = getattr(settings.workers, queue)
    shares = pool.slots()
    named = [queue if n == 1 else f"{queue}-{n}" for n in range(1, len(shares) + 1)]
    return [
        (f"worker-{name}", worker_command(settings, queue, f"{name}@%h", extra, slots))
        for name, slots in zip(named, shares, strict=True)
    ]
