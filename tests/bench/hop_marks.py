"""Where a queue hop's milliseconds go (goal 3): when each task reached its pool and began.

Two moments a job's record does not hold are marked by Celery's own signals in every worker
process of the pipeline bench: ``task_received`` (the pool's main process has taken the
message off the broker) and ``task_prerun`` (the process that runs it is about to call it).
With the record's stage times they split each hop into the broker's part, the pool's
hand-off and the stage's start (reading the job and deciding to run it); the bare chain's
marks split its hops the same way.

Marks go to a file per process, one unbuffered append each (a few microseconds, against a
hop's ~2 ms), only when the bench names a folder in ``BENCH_HOP_MARKS``.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from celery import signals

from shared.models import Job, Stage

FOLDER_ENV = "BENCH_HOP_MARKS"
# Times in seconds by (stage, part of the hop).
Hops = dict[tuple[str, str], list[float]]

_fd: int | None = None


def _mark(kind: str, name: str, args: Any) -> None:
    global _fd
    folder = os.environ.get(FOLDER_ENV)
    if not folder or not isinstance(args, list | tuple) or not args:
        return
    if _fd is None:
        path = Path(folder) / f"{os.getpid()}.txt"
        _fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    stage = name.rsplit(".", 1)[-1]
    os.write(_fd, f"{kind} {stage} {args[0]} {time.time():.6f}\n".encode())


def _on_received(request: Any = None, **_: Any) -> None:
    _mark("received", request.name, request.args)


def _on_prerun(task: Any = None, args: Any = None, **_: Any) -> None:
    _mark("prerun", task.name, args)


@contextmanager
def marking(folder: Path) -> Iterator[None]:
    """Processes started meanwhile mark their tasks in ``folder`` (they inherit the setting)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[FOLDER_ENV] = str(folder)
    try:
        yield
    finally:
        os.environ.pop(FOLDER_ENV, None)


def install() -> None:
    """Mark every task this process receives or runs (weak=False: the handlers live here)."""
    signals.task_received.connect(_on_received, weak=False)
    signals.task_prerun.connect(_on_prerun, weak=False)


def read(folder: Path) -> dict[tuple[str, str], dict[str, float]]:
    """The marks in ``folder``: by (task argument, stage), each kind's earliest time (the
    throughput rounds after the latency runs reuse the bare chains' arguments)."""
    marks: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for path in folder.glob("*.txt"):
        for line in path.read_text().splitlines():
            kind, stage, arg, at = line.split()
            seen = marks[(arg, stage)]
            seen[kind] = min(seen.get(kind, math.inf), float(at))
    return marks


STAGES = ("stt", "llm", "tts")
# Per stage, the three parts of the hop that brings a job to it.
PARTS = ("queue", "hand-off", "start")


def ours(jobs: list[Job], marks: dict[tuple[str, str], dict[str, float]]) -> Hops:
    """Each job's hops: from its creation, or the previous stage's end, to the message in the
    pool (queue: the record's write with the message, the broker, kombu's delivery); to the
    task running (hand-off); to the stage's start time, stamped once it has read the job and
    decided to run (start)."""
    hops: Hops = defaultdict(list)
    for job in jobs:
        before = job.created_at.timestamp()
        for stage in STAGES:
            mark = marks.get((job.id, stage), {})
            record = job.stages[Stage(stage)]
            if "received" not in mark or "prerun" not in mark or record.started_at is None:
                continue
            hops[(stage, "queue")].append(mark["received"] - before)
            hops[(stage, "hand-off")].append(mark["prerun"] - mark["received"])
            hops[(stage, "start")].append(record.started_at.timestamp() - mark["prerun"])
            before = record.finished_at.timestamp() if record.finished_at else math.nan
    return hops


def bare(sent: list[float], marks: dict[tuple[str, str], dict[str, float]]) -> Hops:
    """The bare chains' hops, chain ``i`` sent at ``sent[i]``: from the send, or the previous
    task's start (its body only sends the next), to the message in the pool; to the task
    running. A no-op task has no start of its own."""
    hops: Hops = defaultdict(list)
    for i, at in enumerate(sent):
        before = at
        for stage in STAGES:
            mark = marks.get((str(i), stage), {})
            if "received" not in mark or "prerun" not in mark:
                break
            hops[(stage, "queue")].append(mark["received"] - before)
            hops[(stage, "hand-off")].append(mark["prerun"] - mark["received"])
            before = mark["prerun"]
    return hops


def print_table(ours_hops: Hops, bare_hops: Hops) -> None:
    print("  where the hops' time goes, p50 ms      ours    bare")
    totals = [0.0, 0.0]
    for stage in STAGES:
        for part in PARTS:
            figures = [_p50(hops.get((stage, part))) for hops in (ours_hops, bare_hops)]
            totals = [t + (f or 0.0) for t, f in zip(totals, figures, strict=True)]
            shown = ["     -" if f is None else f"{f:6.2f}" for f in figures]
            print(f"    to {stage}: {part:29s} {shown[0]}  {shown[1]}")
    print(f"    sum of the parts' medians {'':15s} {totals[0]:6.2f}  {totals[1]:6.2f}")


def _p50(times: list[float] | None) -> float | None:
    return statistics.median(times) * 1000 if times else None
