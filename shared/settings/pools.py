"""Settings of the worker pools: one per queue, sized by the kind of work its provider does
(``fit_pools_to_providers``, run when the settings are validated)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, model_validator

from shared.provider_catalog import STAGES, Work, spec
from shared.settings.auth import Section
from shared.settings.provider_choice import ProviderSettings

PoolType = Literal["prefork", "threads", "solo", "gevent", "eventlet"]


class PoolSettings(Section):
    # None: chosen from the stage's provider (see fit_pools_to_providers).
    pool: PoolType | None = None
    concurrency: int | None = Field(default=None, ge=1, le=1000)
    # Messages reserved per slot. None: 1 for process pools (long CPU-bound tasks should
    # not wait behind a busy child), 4 for I/O pools, whose slots free every few hundred
    # ms: a message in hand starts at once instead of after a broker round trip.
    prefetch_multiplier: int | None = Field(default=None, ge=1, le=64)
    # None: see default_processes (one per core for the llm and tts pools of a cloud
    # provider, one otherwise).
    processes: int | None = Field(
        default=None,
        ge=1,
        le=64,
        description="Worker processes `voicepipe up` starts for the pool; they share its "
        "concurrency (64 over 2 processes: 32 slots each). `voicepipe worker` is always one "
        "process with the whole concurrency: a container platform scales by replicas.",
    )
    # Per-task limits: soft raises inside the task, hard kills the child.
    soft_time_limit_s: int = Field(default=300, ge=1)
    time_limit_s: int = Field(default=360, ge=1)

    @model_validator(mode="after")
    def _soft_below_hard(self) -> PoolSettings:
        if self.soft_time_limit_s >= self.time_limit_s:
            raise ValueError("soft_time_limit_s must be below time_limit_s")
        return self

    def slots(self) -> list[int]:
        """The concurrency of each of the pool's processes, sharing its own as evenly as
        whole slots allow (5 over 2: 3 and 2)."""
        processes = self.processes or 1
        whole, extra = divmod(self.concurrency or 1, processes)
        return [whole + (1 if i < extra else 0) for i in range(processes)]


# Each pool's own defaults are its class's field defaults, not a default instance
# (`PoolSettings(soft_time_limit_s=900)`): pydantic-settings builds a section from the
# environment variables it finds, so one of them (VOICEPIPE_WORKERS__STT__CONCURRENCY=2)
# used to replace the whole instance and reset its time limits to 300/360 s.
class SttPoolSettings(PoolSettings):
    # 600 s of audio at ~0.5x real time on one core, with room to spare.
    soft_time_limit_s: int = Field(default=900, ge=1)
    time_limit_s: int = Field(default=960, ge=1)


class LlmPoolSettings(PoolSettings):
    soft_time_limit_s: int = Field(default=120, ge=1)
    time_limit_s: int = Field(default=150, ge=1)


# Not stages: batch expansion (downloads and validation) and webhook deliveries, both
# mostly waiting on the network.
class IngestPoolSettings(PoolSettings):
    pool: PoolType | None = "threads"
    concurrency: int | None = Field(default=8, ge=1, le=1000)
    processes: int | None = Field(default=1, ge=1, le=64)
    soft_time_limit_s: int = Field(default=600, ge=1)
    time_limit_s: int = Field(default=660, ge=1)


class WebhooksPoolSettings(PoolSettings):
    pool: PoolType | None = "threads"
    concurrency: int | None = Field(default=32, ge=1, le=1000)
    processes: int | None = Field(default=1, ge=1, le=64)
    soft_time_limit_s: int = Field(default=60, ge=1)
    time_limit_s: int = Field(default=90, ge=1)


class WorkerSettings(Section):
    min_speech_s: float = Field(
        default=0.5, ge=0, description="Less sound than this and a job fails as empty_media."
    )
    max_crashes: int = Field(
        default=3, ge=1, description="Deliveries that die mid-stage before the job fails."
    )
    voices_refresh_s: float = Field(
        default=600.0,
        gt=0,
        le=86400,  # past threading.TIMEOUT_MAX the publisher's wait raises
        description="How often tts workers list the voices for the API.",
    )
    # Where the API and the pools share cores (the embedded stack, one host), a status read
    # waits behind CPU-bound stage work. How the two settings below act, and where each
    # does nothing, is in workers.cpu_priority. Measured with the batches bench (10,000
    # jobs, 3,000 status reads over the run, alternated runs) and the pipeline bench:
    # - nice 10 (the default): GET /v1/batches/{id} p99 35-44 ms; Valkey logged 43-59
    #   commands over 3 ms per run, waiting for a core (a ZADD 39 ms); 195 jobs/s through
    #   the three stages, 0.58 of bare Celery;
    # - SCHED_IDLE: p99 27-30 ms and 7-8 slow commands, but 169-172 jobs/s (0.49-0.54 of
    #   bare): every wake-up of Valkey now takes a core from a stage mid-task.
    # Throughput is what this system is for, so SCHED_IDLE is for a host where the API's
    # latency matters more.
    nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Scheduling niceness of worker processes (0 = as the API; 19 = lowest).",
    )
    sched_idle: bool = Field(
        default=False,
        description="Worker processes run under Linux's SCHED_IDLE policy: any other task "
        "that wakes, the API's or the broker's, takes the CPU from them at once.",
    )
    batch_turn: int = Field(
        default=5,
        ge=0,
        le=1000,
        description="Every Nth message a worker takes from its queue is a batch job's when "
        "one waits, so a steady stream of single jobs cannot hold a batch back for as long "
        "as it lasts: batches keep at least 1/N of each pool (0: single jobs always first).",
    )
    stt: SttPoolSettings = SttPoolSettings()
    llm: LlmPoolSettings = LlmPoolSettings()
    tts: PoolSettings = PoolSettings()
    ingest: IngestPoolSettings = IngestPoolSettings()
    webhooks: WebhooksPoolSettings = WebhooksPoolSettings()


# Pool defaults by the kind of work the stage's provider does (its catalog line says which).
# CPU: one process per core. I/O: many threads, several messages in hand per thread, in one
# process per core (default_processes). The offline reply is CPU work too, but
# milliseconds of it: threads in one process suffice.
POOL_DEFAULTS: dict[tuple[str, Work], tuple[PoolType, int]] = {
    ("stt", Work.CPU): ("prefork", 1),
    ("llm", Work.CPU): ("threads", 8),
    ("tts", Work.CPU): ("prefork", 1),
    ("stt", Work.IO): ("threads", 32),
    ("llm", Work.IO): ("threads", 64),
    ("tts", Work.IO): ("threads", 32),
}
IO_PREFETCH = 4
THREAD_POOLS = frozenset({"threads", "gevent", "eventlet"})
# Why an I/O pool runs one process per core: its threads wait on the network, but what each
# task does around the wait (the job record, storage, Celery's own handling) holds the GIL,
# so one process is one core however many threads it has. `make bench ONLY=io` (64 slots, a
# 200 ms provider, this 2-core machine): the llm stage in one process reached 0.70-0.88 of
# the ideal rate over a day's runs (bare Celery 0.93-0.94), so the goal of 0.90 was met only
# on the machine's fast hours; in two processes of 32 threads, llm 0.90-0.93 and tts
# 0.91-0.94 (bare 0.94-0.96). At most four, as for the API: a bigger host runs replicas.
MAX_DEFAULT_PROCESSES = 4
# Not stt: with a cloud engine it still decodes every recording itself (the speech check),
# so a second process takes a core from the API on a shared host. The batches bench (Whisper
# fake, 10,000 jobs, 2 cores): GET /v1/batches/{id} p99 while the batch runs 52 ms with one
# stt process, 83 ms with two (p50 2.4 -> 5.1 ms), though the batch finished in 46 s, not 87.
SPREAD_STAGES = frozenset({"llm", "tts"})


def default_processes(stage: str, pool: PoolType, work: Work, concurrency: int) -> int:
    """How many processes share a stage's pool unless the settings say: one per core (at
    most four, and one per slot) for the llm or tts pool of a provider that waits on the
    network, one otherwise."""
    if stage in SPREAD_STAGES and pool in THREAD_POOLS and work == Work.IO:
        return min(MAX_DEFAULT_PROCESSES, os.cpu_count() or 1, concurrency)
    return 1


def fit_pools_to_providers(workers: WorkerSettings, providers: ProviderSettings) -> None:
    """Fill what the settings left open of each pool from the kind of work its stage's
    provider does, and refuse a pool with more processes than slots (``Settings``)."""
    for stage in STAGES:
        pool: PoolSettings = getattr(workers, stage)
        found = spec(stage, getattr(providers, stage))
        default = POOL_DEFAULTS[(stage, found.work if found else Work.IO)]
        if pool.pool is None:
            pool.pool = default[0]
        if pool.concurrency is None:
            pool.concurrency = default[1]
        if pool.prefetch_multiplier is None:
            io_pool = pool.pool in THREAD_POOLS
            pool.prefetch_multiplier = IO_PREFETCH if io_pool else 1
        if pool.processes is None:
            work = found.work if found else Work.IO
            pool.processes = default_processes(stage, pool.pool, work, pool.concurrency)
    for side in (workers.ingest, workers.webhooks):
        if side.prefetch_multiplier is None:
            # One message per slot: a prefetched ingest chunk or delivery would wait
            # behind a slow download or a slow receiver.
            side.prefetch_multiplier = 1
    for queue in (*STAGES, "ingest", "webhooks"):
        pool = getattr(workers, queue)
        if (pool.processes or 1) > (pool.concurrency or 1):
            raise ValueError(
                f"workers.{queue}: processes ({pool.processes}) must not exceed "
                f"concurrency ({pool.concurrency}): each process needs a slot"
            )
