"""What a stage run is measured by: the CPU clock its seconds are read from (the usage
ledger prices them), and its run and queue times for /metrics."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from shared.metrics_store import Phase, StageMetricsBuffer
from shared.models import Job, Stage
from shared.usage_report import queue_wait_s
from workers.context import WorkerContext


def task_cpu_clock() -> Callable[[], float]:
    """The clock a run's CPU seconds are read from (the usage ledger prices them).

    A process that runs one task at a time (prefork and solo pools: the task has the main
    thread) charges the task the whole process's CPU, which includes the threads its engine
    starts (ONNX Runtime's, the hybrid's two engines). In a thread pool the process is
    shared, so a task is charged its own thread's CPU only. A green-thread pool (gevent)
    runs on the main thread and would be charged its neighbours' CPU too: none is a default.
    """
    alone = threading.current_thread() is threading.main_thread()
    return time.process_time if alone else time.thread_time


def observe(ctx: WorkerContext, job: Job, stage: Stage, elapsed: float) -> None:
    """The run's time, and its wait in the queue on a first attempt (a retry's wait is its
    back-off), for /metrics. Counting never fails a stage that succeeded."""
    rec = job.stages[stage]
    seconds: dict[Phase, float] = {"run": elapsed}
    wait = queue_wait_s(job, stage)
    if wait is not None:
        seconds["wait"] = wait
    _metrics(ctx).observe(stage.value, rec.provider or "", seconds)


_buffer: tuple[tuple[int, int], StageMetricsBuffer] | None = None


def _metrics(ctx: WorkerContext) -> StageMetricsBuffer:
    """This process's buffer for this context's broker (a forked child makes its own, with
    its own flusher; so does a test that hands the runner a context of its own)."""
    global _buffer
    owner = (os.getpid(), id(ctx.jobs.redis))
    if _buffer is None or _buffer[0] != owner:
        _buffer = (owner, StageMetricsBuffer(ctx.jobs.redis))
    return _buffer[1]
