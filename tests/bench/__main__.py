"""`make bench`: reply-stage throughput of one llm worker process at concurrency 64.

A 200 ms reply provider caps one process at 64 / 0.2 = 320 replies/s. We run N jobs
through the real llm stage (job store reads and writes, storage, provider registry) on a
real Valkey and a real worker (pool from BENCH_POOL, default threads), and print the ratio
to that ideal, next to a bare Celery task that only sleeps. Messages are queued before the
worker starts, so the rate measured is the worker's, not the benchmark's own publishing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api.stack import child_env
from shared.celery_app import TASK_NAMES, create_celery
from shared.jobstore import JobStore
from shared.models import InputMeta, Job, JobOptions, Stage, Transcript
from shared.settings import Settings
from shared.storage import LocalStorage
from tests.conftest import ValkeyProcess

CONCURRENCY = 64
POOL = os.environ.get("BENCH_POOL", "threads")
LATENCY_S = 0.2
IDEAL = CONCURRENCY / LATENCY_S


def _worker(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shared.celery_app",
            "worker",
            "-Q",
            "llm",
            "-n",
            "bench@%h",
            "-P",
            "threads",
            "-c",
            str(CONCURRENCY),
            "--loglevel",
            "WARNING",
            "--include",
            "tests.bench.sleepy",
            "--without-mingle",
            "--without-gossip",
        ],
        env=child_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _run_worker_until(settings: Settings, done: object, timeout_s: float = 180) -> None:
    worker = _worker(settings)
    try:
        deadline = time.monotonic() + timeout_s
        while not done():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError("the benchmark did not finish")
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(30)


def bare_rate(settings: Settings, store: JobStore, n: int) -> float:
    app = create_celery(settings)
    for i in range(n):
        app.send_task("bench.bare_sleep", args=[str(i)], queue="llm")
    # Finished when the queue is drained and the last wave has had time to end.
    idle_since: list[float] = []

    def done() -> bool:
        if store.redis.llen("llm") or not store.redis.get("bench:bare:last"):
            return False
        last = float(store.redis.get("bench:bare:last") or 0)
        idle_since.append(last)
        return time.time() - last > 1.0

    _run_worker_until(settings, done)
    first = float(store.redis.get("bench:bare:first") or 0)
    last = float(store.redis.get("bench:bare:last") or 0)
    return n / (last - first + LATENCY_S)


def stage_rate(settings: Settings, store: JobStore, n: int) -> tuple[float, str]:
    storage = LocalStorage(settings.objects_dir)
    meta = InputMeta(
        media_type="audio/wav",
        container="wav",
        codec="pcm_s16le",
        size_bytes=1,
        duration_s=1.0,
        sample_rate=16000,
        channels=1,
        sha256="0" * 64,
        key="x",
    )
    transcript = Transcript(text="please call me back about my order", provider="bench")
    app = create_celery(settings)
    jobs = []
    for _ in range(n):
        job = Job(options=JobOptions(stages=[Stage.LLM], llm_provider="sleepy"), input=meta)
        storage.put(job.object_key("transcript.json"), transcript.model_dump_json().encode())
        store.create(job)
        app.send_task(TASK_NAMES[Stage.LLM], args=[job.id], queue="llm")
        jobs.append(job)
    keys = [f"vp:job:{job.id}" for job in jobs]

    def done() -> bool:
        return all(b'"status":"succeeded"' in (r or b"") for r in store.redis.mget(keys))

    _run_worker_until(settings, done)
    records = [store.get(job.id) for job in jobs]
    starts = [r.stages[Stage.LLM].started_at for r in records]
    ends = [r.finished_at for r in records]
    first = min(s for s in starts if s)
    last = max(e for e in ends if e)
    spans = sorted((e - s).total_seconds() for s, e in zip(starts, ends, strict=True) if s and e)
    detail = (
        f"stage time p50 {spans[len(spans) // 2] * 1000:.0f} ms, "
        f"p95 {spans[int(len(spans) * 0.95)] * 1000:.0f} ms"
    )
    return n / ((last - first).total_seconds() + LATENCY_S), detail


def main(n: int = 3000) -> int:
    with tempfile.TemporaryDirectory(prefix="vp-bench-") as tmp:
        valkey = ValkeyProcess(Path(tmp) / "valkey")
        valkey.start()
        try:
            settings = Settings(data_dir=Path(tmp), broker={"url": valkey.url})
            store = JobStore.from_url(valkey.url)
            bare = bare_rate(settings, store, n)
            ours, detail = stage_rate(settings, store, n)
        finally:
            valkey.stop()
    print(
        f"llm pool: 1 worker process, {POOL} x{CONCURRENCY}, provider latency "
        f"{LATENCY_S * 1000:.0f} ms, {n} jobs, {os.cpu_count()} cores"
    )
    print(f"  ideal                      {IDEAL:7.1f} replies/s")
    print(f"  bare Celery sleep task     {bare:7.1f} /s   ratio {bare / IDEAL:.3f}")
    print(
        f"  VoicePipe llm stage        {ours:7.1f} /s   ratio {ours / IDEAL:.3f}   "
        f"(goal >= 0.90; {detail})"
    )
    return 0 if ours / IDEAL >= 0.90 else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000))
