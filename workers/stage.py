"""What every stage task does around its provider call.

A stage reads the job, marks itself running, does its work (which writes its output to
storage), then records the result. Outputs are written before the record says
``succeeded``, so a redelivered message finds a finished stage and moves on without
redoing it; a job that was canceled or failed meanwhile is left as it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import Ignore, SoftTimeLimitExceeded

from shared.errors import StageFailed, StorageKeyNotFound
from shared.models import (
    RUNNING_STATUS,
    STAGE_ORDER,
    ErrorInfo,
    Job,
    JobResults,
    JobStatus,
    Stage,
    StageStatus,
    utcnow,
)
from workers.context import WorkerContext, get_context

log = logging.getLogger("voicepipe.stage")


@dataclass(frozen=True)
class StageOutput:
    output_key: str
    record_results: Callable[[JobResults], None]


Work = Callable[[Job, WorkerContext], StageOutput]


def provider_name(job: Job, stage: Stage, ctx: WorkerContext) -> str:
    chosen = getattr(job.options, f"{stage.value}_provider")
    return str(chosen or getattr(ctx.settings.providers, stage.value))


def _next_status(job: Job, stage: Stage) -> JobStatus:
    later = [
        s
        for s in STAGE_ORDER
        if s in job.options.stages and STAGE_ORDER.index(s) > STAGE_ORDER.index(stage)
    ]
    return RUNNING_STATUS[later[0]] if later else JobStatus.SUCCEEDED


def run_stage(job_id: str, stage: Stage, work: Work) -> None:
    ctx = get_context()
    job = ctx.jobs.get(job_id)
    record = job.stages.get(stage)
    if job.status.terminal or record is None:
        log.info("job %s is %s; %s not run", job_id, job.status.value, stage.value)
        raise Ignore()
    key = record.output_key
    if record.status == StageStatus.SUCCEEDED and key and ctx.storage.exists(key):
        log.info("job %s: %s already done, passing on", job_id, stage.value)
        return
    name = provider_name(job, stage, ctx)

    def start(j: Job) -> None:
        rec = j.stages[stage]
        rec.status = StageStatus.RUNNING
        rec.provider = name
        rec.attempts += 1
        rec.started_at = utcnow()
        rec.finished_at = None
        rec.error = None
        if not j.status.terminal:
            j.status = RUNNING_STATUS[stage]

    job = ctx.jobs.update(job_id, start)
    started = time.perf_counter()
    try:
        output = work(job, ctx)
    except StageFailed as exc:
        _fail(ctx, job_id, stage, exc.code, exc.message, started)
        raise Ignore() from None
    except SoftTimeLimitExceeded:
        limit = getattr(ctx.settings.workers, stage.value).soft_time_limit_s
        _fail(ctx, job_id, stage, "timeout", f"the {stage.value} stage ran over {limit} s", started)
        raise Ignore() from None
    except StorageKeyNotFound as exc:
        _fail(ctx, job_id, stage, "missing_input", exc.message, started)
        raise Ignore() from None
    except Exception as exc:
        log.exception("job %s: %s failed unexpectedly", job_id, stage.value)
        _fail(ctx, job_id, stage, "internal", f"{type(exc).__name__}: {exc}"[:500], started)
        raise Ignore() from None
    elapsed = time.perf_counter() - started

    def finish(j: Job) -> None:
        if j.status.terminal:
            return  # canceled while running: the result is discarded
        rec = j.stages[stage]
        rec.status = StageStatus.SUCCEEDED
        rec.finished_at = utcnow()
        rec.duration_s = round(elapsed, 4)
        rec.output_key = output.output_key
        output.record_results(j.results)
        j.status = _next_status(j, stage)
        if j.status.terminal:
            j.finished_at = utcnow()

    job = ctx.jobs.update(job_id, finish)
    if job.status == JobStatus.CANCELED:
        raise Ignore()
    log.info("job %s: %s done in %.2f s", job_id, stage.value, elapsed)


def _fail(
    ctx: WorkerContext, job_id: str, stage: Stage, code: str, message: str, started: float
) -> None:
    elapsed = time.perf_counter() - started
    log.warning("job %s: %s failed with %s", job_id, stage.value, code)

    def mark(j: Job) -> None:
        rec = j.stages[stage]
        rec.status = StageStatus.FAILED
        rec.finished_at = utcnow()
        rec.duration_s = round(elapsed, 4)
        rec.error = ErrorInfo(code=code, message=message)
        if j.status.terminal:
            return
        j.status = JobStatus.FAILED
        j.failed_stage = stage
        j.error = ErrorInfo(code=f"{stage.value}.{code}", message=message)
        j.finished_at = utcnow()

    ctx.jobs.update(job_id, mark)
