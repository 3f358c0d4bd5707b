"""The stage tasks' side of the runner (workers.stage): the output a stage's work hands it,
where each run of a stage keeps its output, and what one stage reads of another's record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.models import Job, JobResults, Stage, StageStatus
from workers.context import WorkerContext


@dataclass(frozen=True)
class StageOutput:
    """What a stage made. The runner stores it under ``attempt_key(output_key, attempt)``
    and hands that key to ``record_results`` with the job's results."""

    output_key: str
    data: bytes
    content_type: str
    record_results: Callable[[JobResults, str], None]
    # The input's SHA-256 where the job has none yet (api.intake leaves it to the stt stage).
    input_sha256: str | None = None


def attempt_key(key: str, attempt: int) -> str:
    """The object key of one run of a stage: ``reply.json`` for the first, ``reply.2.json``
    for the second. Each run writes only its own key, so a stale run (one the sweeper
    re-drove, or one that outlived a cancel) can never overwrite the owner's output, and
    no read of the job is needed before writing."""
    if attempt <= 1:
        return key
    head, _, name = key.rpartition("/")
    stem, dot, ext = name.partition(".")
    renamed = f"{stem}.{attempt}{dot}{ext}"
    return f"{head}/{renamed}" if head else renamed


Work = Callable[[Job, WorkerContext], StageOutput]


# What the stt stage adds to the engine's details in the job record (the words' mean
# confidence); the reply stage reads the rest of the details back as the engine's.
MEAN_CONFIDENCE = "mean_confidence"


def succeeded(job: Job, stage: Stage) -> bool:
    rec = job.stages.get(stage)
    return rec is not None and rec.status == StageStatus.SUCCEEDED


def recorded_output_key(job: Job, stage: Stage, name: str) -> str:
    """Where ``stage`` stored its output: the key its record names, else the first run's."""
    rec = job.stages.get(stage)
    return (rec.output_key if rec is not None else None) or job.object_key(name)


def provider_name(job: Job, stage: Stage, ctx: WorkerContext) -> str:
    chosen = getattr(job.options, f"{stage.value}_provider")
    return str(chosen or getattr(ctx.settings.providers, stage.value))
